package kubelet

import (
	"context"
	"fmt"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/hanok-dev/hanok/internal/kubelet/prober"
	"github.com/hanok-dev/hanok/internal/kubelet/volume"
)

// remountInterval is how often a running pod's volumes are refreshed so
// configMap and secret updates reach it.
const remountInterval = time.Minute

// podWorker serialises every sync of one pod.
type podWorker struct {
	uid  types.UID
	wake chan struct{}

	mu        sync.Mutex
	waiting   map[string]waitingReason // why containers are held back
	mounted   volume.Mounted
	mountedAt time.Time
	// lastStatic is the static pod last seen: when its manifest goes away
	// its hooks and grace period still apply.
	lastStatic *v1.Pod
	// cancelRun ends the sync in progress when it is bringing the pod up
	// (a long image pull, a slow hook) and the pod is deleted meanwhile.
	cancelRun context.CancelFunc
}

// interruptRun cancels a sync that is starting the pod, so a deletion does
// not wait behind it.
func (w *podWorker) interruptRun() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cancelRun != nil {
		w.cancelRun()
	}
}

func (w *podWorker) setCancelRun(cancel context.CancelFunc) {
	w.mu.Lock()
	w.cancelRun = cancel
	w.mu.Unlock()
}

func newPodWorker(uid types.UID) *podWorker {
	return &podWorker{uid: uid, wake: make(chan struct{}, 1), waiting: map[string]waitingReason{}}
}

// signal asks for a sync without blocking; signals coalesce.
func (w *podWorker) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// runWorker syncs the pod on every signal and every SyncInterval until the
// pod is gone and cleaned up.
func (k *Kubelet) runWorker(ctx context.Context, w *podWorker) {
	defer k.workersWG.Done()
	ticker := time.NewTicker(k.cfg.SyncInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		case <-ticker.C:
		}
		done, err := k.syncPod(ctx, w)
		if err != nil && ctx.Err() == nil {
			log.WithField("pod", w.uid).WithError(err).Debug("sync failed")
		}
		if done {
			k.mu.Lock()
			if k.workers[w.uid] == w {
				delete(k.workers, w.uid)
			}
			delete(k.terminal, w.uid)
			k.mu.Unlock()
			return
		}
	}
}

// syncPod brings one pod one step closer to its spec and reports its
// status. done is true once a deleted pod is fully cleaned up.
func (k *Kubelet) syncPod(ctx context.Context, w *podWorker) (done bool, err error) {
	pod, static := k.podByUID(w.uid)
	state, err := k.cri.podState(ctx, w.uid)
	if err != nil {
		return false, err
	}
	if pod != nil && static {
		w.lastStatic = pod
	}
	if pod == nil && w.lastStatic != nil {
		return k.terminatePod(ctx, w, w.lastStatic, true, state)
	}
	if pod == nil || pod.DeletionTimestamp != nil {
		return k.terminatePod(ctx, w, pod, static, state)
	}
	now := k.now()
	ctx, cancel := context.WithCancel(ctx)
	w.setCancelRun(cancel)
	defer func() {
		w.setCancelRun(nil)
		cancel()
	}()

	if r := k.deadlineExceeded(pod, now); r != nil && k.terminalFor(pod.UID) == nil {
		k.setTerminal(pod.UID, *r)
		k.recorder.Event(pod, v1.EventTypeNormal, "DeadlineExceeded", r.Message)
	}
	terminal := k.terminalFor(pod.UID)
	finished := pod.Status.Phase == v1.PodSucceeded || pod.Status.Phase == v1.PodFailed
	if !finished && terminal == nil {
		if phase := k.statusFor(pod, state, w, nil, now).Phase; phase == v1.PodSucceeded || phase == v1.PodFailed {
			finished = true
		}
	}
	if finished || terminal != nil {
		// A finished pod keeps its containers (for logs) but not its
		// sandbox: stopping it frees the IP.
		grace := gracePeriod(pod)
		if terminal != nil && terminal.Reason == "Evicted" {
			grace = 0 // node pressure: no time to lose, as upstream's hard eviction
		}
		if err := k.stopPod(ctx, pod, state, grace, terminal != nil); err != nil {
			return false, err
		}
		k.probes.RemovePod(pod.UID)
		if state, err = k.cri.podState(ctx, w.uid); err != nil {
			return false, err
		}
		return false, k.writeStatus(ctx, pod, static, k.statusFor(pod, state, w, terminal, now))
	}

	if err := k.mountVolumes(ctx, w, pod, now); err != nil {
		return false, k.writeStatus(ctx, pod, static, k.statusFor(pod, state, w, nil, now))
	}

	acts := computePodActions(decisionInput{
		Pod: pod, State: state, Probes: k.probeView(pod, state), Now: now,
		BackOff: func(name string) time.Duration { return k.crashBack.delay(crashKey(pod.UID, name), now) },
	})
	changed, err := k.execute(ctx, w, pod, state, acts)
	if err != nil {
		log.WithField("pod", pod.Namespace+"/"+pod.Name).WithError(err).Debug("sync step failed")
	}
	if changed {
		if state, err = k.cri.podState(ctx, w.uid); err != nil {
			return false, err
		}
	}
	k.syncProbes(pod, state)
	k.gcContainers(ctx, state)
	return false, k.writeStatus(ctx, pod, static, k.statusFor(pod, state, w, nil, k.now()))
}

// deadlineExceeded applies activeDeadlineSeconds.
func (k *Kubelet) deadlineExceeded(pod *v1.Pod, now time.Time) *terminalReason {
	ads := pod.Spec.ActiveDeadlineSeconds
	if ads == nil || pod.Status.StartTime == nil {
		return nil
	}
	if now.Sub(pod.Status.StartTime.Time) < time.Duration(*ads)*time.Second {
		return nil
	}
	return &terminalReason{Reason: "DeadlineExceeded", Message: "Pod was active on the node longer than the specified deadline"}
}

// statusFor runs computePodStatus with the worker's and prober's view.
func (k *Kubelet) statusFor(pod *v1.Pod, state *podState, w *podWorker, terminal *terminalReason, now time.Time) v1.PodStatus {
	return k.statusWith(pod, state, w, terminal, false, now)
}

// statusWith is statusFor for a pod that may be terminating.
func (k *Kubelet) statusWith(pod *v1.Pod, state *podState, w *podWorker, terminal *terminalReason, terminating bool, now time.Time) v1.PodStatus {
	ready, notStarted := map[string]bool{}, map[string]bool{}
	for _, c := range allContainers(pod) {
		cur := state.latest(c.Name)
		if cur == nil || !cur.running() {
			continue
		}
		if c.StartupProbe != nil {
			if u, ok := k.probeStates.get(cur.ID, prober.Startup); !ok || u.Result != prober.Success {
				notStarted[c.Name] = true
			}
		}
		ready[c.Name] = true
		if c.ReadinessProbe != nil {
			u, ok := k.probeStates.get(cur.ID, prober.Readiness)
			ready[c.Name] = ok && u.Result == prober.Success
		}
	}
	w.mu.Lock()
	waiting := make(map[string]waitingReason, len(w.waiting))
	for n, r := range w.waiting {
		waiting[n] = r
	}
	w.mu.Unlock()
	return computePodStatus(statusInput{
		Pod: pod, State: state, RuntimeName: k.runtimeName, Ready: ready, NotStarted: notStarted,
		Waiting: waiting, HostIPs: k.hostIPs, Terminal: terminal, Terminating: terminating, Now: now,
	})
}

// probeView tells the decision which running containers failed liveness or
// startup probes and which have not started yet.
func (k *Kubelet) probeView(pod *v1.Pod, state *podState) probeView {
	v := probeView{Failed: map[string]string{}, NotStarted: map[string]bool{}}
	for _, c := range allContainers(pod) {
		cur := state.latest(c.Name)
		if cur == nil || !cur.running() {
			continue
		}
		if c.StartupProbe != nil {
			u, ok := k.probeStates.get(cur.ID, prober.Startup)
			if !ok || u.Result != prober.Success {
				v.NotStarted[c.Name] = true
			}
			if ok && u.Result == prober.Failure {
				v.Failed[c.Name] = fmt.Sprintf("Container %s failed startup probe, will be restarted", c.Name)
			}
		}
		if c.LivenessProbe != nil {
			if u, ok := k.probeStates.get(cur.ID, prober.Liveness); ok && u.Result == prober.Failure {
				v.Failed[c.Name] = fmt.Sprintf("Container %s failed liveness probe, will be restarted", c.Name)
			}
		}
	}
	return v
}

// syncProbes hands the prober exactly the running containers of the pod.
func (k *Kubelet) syncProbes(pod *v1.Pod, state *podState) {
	running := map[string]prober.ContainerInfo{}
	for _, c := range allContainers(pod) {
		if cur := state.latest(c.Name); cur != nil && cur.running() {
			running[c.Name] = prober.ContainerInfo{ID: cur.ID, StartedAt: cur.StartedAt}
		}
	}
	k.probes.Sync(pod, running)
}

// mountVolumes prepares the pod's volumes on the first sync and refreshes
// them every remountInterval; a failure is a FailedMount event and a retry.
func (k *Kubelet) mountVolumes(ctx context.Context, w *podWorker, pod *v1.Pod, now time.Time) error {
	w.mu.Lock()
	fresh := w.mounted != nil && now.Sub(w.mountedAt) < remountInterval
	w.mu.Unlock()
	if fresh {
		return nil
	}
	mounted, err := k.volumes.Mount(ctx, pod)
	if err != nil {
		k.recorder.Event(pod, v1.EventTypeWarning, "FailedMount", err.Error())
		return err
	}
	if mounted == nil {
		mounted = volume.Mounted{}
	}
	w.mu.Lock()
	w.mounted, w.mountedAt = mounted, now
	w.mu.Unlock()
	return nil
}

// allContainers lists init then app containers.
func allContainers(pod *v1.Pod) []*v1.Container {
	out := make([]*v1.Container, 0, len(pod.Spec.InitContainers)+len(pod.Spec.Containers))
	for i := range pod.Spec.InitContainers {
		out = append(out, &pod.Spec.InitContainers[i])
	}
	for i := range pod.Spec.Containers {
		out = append(out, &pod.Spec.Containers[i])
	}
	return out
}

func crashKey(uid types.UID, name string) string { return string(uid) + "/" + name }
