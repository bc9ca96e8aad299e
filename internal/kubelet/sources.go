package kubelet

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/hanok-dev/hanok/internal/kubelet/nodestatus"
	"github.com/hanok-dev/hanok/internal/kubelet/prober"
	"github.com/hanok-dev/hanok/internal/kubelet/staticpod"
)

// relistLoop stands in for upstream's PLEG: it lists every sandbox and
// container once per RelistInterval, wakes the workers of pods whose runtime
// state changed, and starts clean-up workers for runtime pods nobody owns.
func (k *Kubelet) relistLoop(ctx context.Context) {
	last := map[types.UID]string{}
	wait.UntilWithContext(ctx, func(ctx context.Context) {
		current, err := k.runtimeFingerprints(ctx)
		if err != nil {
			log.WithError(err).Debug("relist failed")
			return
		}
		ready := k.sourcesReady()
		for uid, fp := range current {
			if last[uid] == fp {
				continue
			}
			k.wake(uid, ready)
		}
		for uid := range last {
			if _, ok := current[uid]; !ok {
				k.wake(uid, false)
			}
		}
		if ready {
			last = current
		}
	}, k.cfg.RelistInterval)
}

// runtimeFingerprints summarises each pod's sandboxes and containers (IDs
// and states) so a change shows up as a different string.
func (k *Kubelet) runtimeFingerprints(ctx context.Context) (map[types.UID]string, error) {
	sandboxes, err := k.rt.ListPodSandbox(ctx, nil)
	if err != nil {
		return nil, err
	}
	containers, err := k.rt.ListContainers(ctx, nil)
	if err != nil {
		return nil, err
	}
	parts := map[types.UID][]string{}
	for _, sb := range sandboxes {
		if uid := podUIDOf(sb.Labels); uid != "" {
			parts[uid] = append(parts[uid], "s"+sb.Id+sb.State.String())
		}
	}
	for _, c := range containers {
		if uid := podUIDOf(c.Labels); uid != "" {
			parts[uid] = append(parts[uid], "c"+c.Id+c.State.String())
		}
	}
	out := make(map[types.UID]string, len(parts))
	for uid, p := range parts {
		sort.Strings(p)
		out[uid] = strings.Join(p, ",")
	}
	return out, nil
}

// runStaticPods follows the manifest folder and keeps mirror pods in step.
func (k *Kubelet) runStaticPods(ctx context.Context) {
	updates := staticpod.Watch(ctx, k.cfg.StaticPodsDir, k.cfg.NodeName)
	var current []*v1.Pod
	ticker := time.NewTicker(k.cfg.SyncInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case pods, ok := <-updates:
			if !ok {
				return
			}
			current = pods
			k.setStaticPods(pods)
		case <-ticker.C:
		}
		if err := staticpod.SyncMirrors(ctx, k.cfg.Client, current); err != nil {
			log.WithError(err).Debug("syncing mirror pods")
		}
	}
}

// setStaticPods replaces the static pod set and wakes the workers of pods
// that came or went.
func (k *Kubelet) setStaticPods(pods []*v1.Pod) {
	next := map[types.UID]*v1.Pod{}
	for _, p := range pods {
		next[p.UID] = p
	}
	k.mu.Lock()
	prev := k.static
	k.static = next
	k.staticSynced = true
	k.mu.Unlock()
	for uid := range next {
		k.wake(uid, true)
	}
	for uid := range prev {
		if _, ok := next[uid]; !ok {
			k.mu.Lock()
			if w := k.workers[uid]; w != nil {
				w.interruptRun()
			}
			k.mu.Unlock()
			k.wake(uid, false)
		}
	}
}

// runNodeStatus registers the Node (retrying until the API answers) and
// then keeps its Lease and status fresh.
func (k *Kubelet) runNodeStatus(ctx context.Context) {
	cfg := nodestatus.Config{
		NodeName: k.cfg.NodeName, Hostname: k.cfg.Hostname, NodeIPs: k.cfg.NodeIPs,
		Client: k.cfg.Client, Labels: k.cfg.Labels, Taints: k.cfg.Taints,
		ControlPlane: k.cfg.ControlPlane, Port: k.cfg.Port, MaxPods: k.cfg.MaxPods,
		Runtime: runtimeInfo{k}, CgroupRoot: k.cfg.CgroupRoot, RootDir: k.cfg.RootDir,
		ImagesLister: k.listImages,
	}
	if k.evictor != nil {
		cfg.Pressure = k.evictor
	}
	backoff := time.Second
	for {
		if _, err := nodestatus.Register(ctx, cfg); err == nil {
			break
		} else {
			log.WithError(err).Warn("registering the node")
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
	if err := nodestatus.Run(ctx, cfg); err != nil && ctx.Err() == nil {
		log.WithError(err).Error("node status stopped")
	}
}

// runtimeInfo answers nodestatus about the runtime.
type runtimeInfo struct{ k *Kubelet }

func (r runtimeInfo) Version(ctx context.Context) (string, string, error) {
	v, err := r.k.rt.Version(ctx, "v1")
	if err != nil {
		return "", "", err
	}
	return v.RuntimeName, v.RuntimeVersion, nil
}

func (r runtimeInfo) Status(ctx context.Context) (bool, bool, string) {
	resp, err := r.k.rt.Status(ctx, false)
	if err != nil {
		return false, false, fmt.Sprintf("container runtime is down: %v", err)
	}
	runtimeReady, networkReady := false, false
	var msgs []string
	for _, c := range resp.GetStatus().GetConditions() {
		switch c.Type {
		case runtimeapi.RuntimeReady:
			runtimeReady = c.Status
		case runtimeapi.NetworkReady:
			networkReady = c.Status
		}
		if !c.Status && c.Message != "" {
			msgs = append(msgs, fmt.Sprintf("%s=false reason:%s message:%s", c.Type, c.Reason, c.Message))
		}
	}
	return runtimeReady, networkReady, strings.Join(msgs, ", ")
}

// listImages reports the node's images for status.images.
func (k *Kubelet) listImages(ctx context.Context) ([]v1.ContainerImage, error) {
	images, err := k.img.ListImages(ctx, nil)
	if err != nil {
		return nil, err
	}
	out := make([]v1.ContainerImage, 0, len(images))
	for _, img := range images {
		names := append(append([]string(nil), img.RepoTags...), img.RepoDigests...)
		if len(names) == 0 {
			names = []string{img.Id}
		}
		out = append(out, v1.ContainerImage{Names: names, SizeBytes: int64(img.Size)})
	}
	return out, nil
}

// probeStates keeps the latest probe result per container ID and kind, fed
// by the prober's change stream; a container with no entry has the
// defaults (not ready, not started, alive).
type probeStates struct {
	mu      sync.Mutex
	results map[string]map[prober.Kind]prober.Update
}

func newProbeStates() *probeStates {
	return &probeStates{results: map[string]map[prober.Kind]prober.Update{}}
}

func (p *probeStates) set(u prober.Update) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.results[u.ContainerID] == nil {
		p.results[u.ContainerID] = map[prober.Kind]prober.Update{}
	}
	p.results[u.ContainerID][u.Kind] = u
}

func (p *probeStates) get(containerID string, kind prober.Kind) (prober.Update, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u, ok := p.results[containerID][kind]
	return u, ok
}

// keepOnly forgets containers that no longer run.
func (p *probeStates) forget(ids ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range ids {
		delete(p.results, id)
	}
}

// consumeProbeUpdates records probe results, emits Unhealthy events for
// failures and wakes the pod's worker.
func (k *Kubelet) consumeProbeUpdates(ctx context.Context) {
	updates := k.probes.Updates()
	for {
		select {
		case <-ctx.Done():
			return
		case u, ok := <-updates:
			if !ok {
				return
			}
			k.probeStates.set(u)
			if u.Result == prober.Failure {
				if pod, _ := k.podByUID(u.PodUID); pod != nil {
					k.recorder.Event(containerRef(pod, u.Container), v1.EventTypeWarning, "Unhealthy",
						fmt.Sprintf("%s probe failed: %s", probeKindName(u.Kind), strings.TrimSpace(u.Message)))
				}
			}
			k.wake(u.PodUID, false)
		}
	}
}

func probeKindName(k prober.Kind) string {
	switch k {
	case prober.Liveness:
		return "Liveness"
	case prober.Readiness:
		return "Readiness"
	case prober.Startup:
		return "Startup"
	}
	return "Unknown"
}
