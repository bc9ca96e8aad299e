package kubelet

import (
	"fmt"
	"time"

	v1 "k8s.io/api/core/v1"
)

// podActions is what one sync must do to move a pod's runtime state towards
// its spec. computePodActions builds it; the worker carries it out.
type podActions struct {
	// KillPod stops every container and the sandboxes before anything else:
	// the sandbox died and a new one is made.
	KillPod        bool
	CreateSandbox  bool
	SandboxAttempt uint32
	// Kill lists single containers to stop (liveness failure, changed spec,
	// unknown names).
	Kill []killAction
	// Start lists the containers to create and start, in order.
	Start []startAction
	// Waiting holds the containers kept from starting and why
	// (CrashLoopBackOff); the status shows them as waiting.
	Waiting map[string]waitingReason
}

type startAction struct {
	Container    *v1.Container
	Init         bool
	RestartCount int
	// Restart is set when a previous instance exited: the back-off grows.
	Restart bool
}

type killAction struct {
	ID, Name string
	Message  string // for the Killing event; empty for silent clean-ups
	// Grace overrides the pod's grace period (a probe's own
	// terminationGracePeriodSeconds); nil means the pod's.
	Grace *int64
}

// waitingReason is a container's waiting state reason and message.
type waitingReason struct {
	Reason, Message string
}

// probeView is what the decision needs to know from the prober.
type probeView struct {
	// Failed names the running containers whose liveness or startup probe
	// failed, with the event message.
	Failed map[string]string
	// Started is false for containers still waiting for their startup
	// probe; missing names count as started.
	NotStarted map[string]bool
}

// decisionInput gathers everything computePodActions reads.
type decisionInput struct {
	Pod    *v1.Pod
	State  *podState
	Probes probeView
	// BackOff returns the current crash back-off delay of a container.
	BackOff func(container string) time.Duration
	Now     time.Time
}

// computePodActions decides what to create, start and kill for a pod that
// should be running (not terminating, not finished). It is pure.
func computePodActions(in decisionInput) podActions {
	pod, st := in.Pod, in.State
	acts := podActions{Waiting: map[string]waitingReason{}}
	sb := st.sandbox()

	if sb == nil || !sb.Ready {
		if sb != nil && pod.Spec.RestartPolicy == v1.RestartPolicyNever && len(st.Containers) > 0 {
			// A Never pod whose sandbox died is over; its status turns
			// terminal from the dead containers.
			return acts
		}
		acts.CreateSandbox = true
		acts.KillPod = sb != nil || len(st.runningContainers()) > 0
		if sb != nil {
			acts.SandboxAttempt = sb.Attempt + 1
		}
		if len(pod.Spec.InitContainers) > 0 {
			c := &pod.Spec.InitContainers[0]
			acts.Start = append(acts.Start, startAction{Container: c, Init: true, RestartCount: nextRestartCount(st, c.Name)})
			return acts
		}
		for i := range pod.Spec.Containers {
			c := &pod.Spec.Containers[i]
			if last := st.latest(c.Name); last != nil && last.exited() && !shouldRestart(pod, last.ExitCode) {
				continue
			}
			acts.Start = append(acts.Start, startAction{Container: c, RestartCount: nextRestartCount(st, c.Name)})
		}
		return acts
	}

	known := map[string]bool{}
	for i := range pod.Spec.InitContainers {
		known[pod.Spec.InitContainers[i].Name] = true
	}
	for i := range pod.Spec.Containers {
		known[pod.Spec.Containers[i].Name] = true
	}
	// Containers of this sandbox that the spec no longer names go away.
	for _, c := range st.Containers {
		if c.SandboxID == sb.ID && c.running() && !known[c.Name] {
			acts.Kill = append(acts.Kill, killAction{ID: c.ID, Name: c.Name})
		}
	}

	if blocked := initActions(in, sb, &acts); blocked {
		return acts
	}
	for i := range pod.Spec.Containers {
		appAction(in, sb, &pod.Spec.Containers[i], false, &acts)
	}
	return acts
}

// initActions handles init containers in order. It returns true while
// initialisation is not over, so app containers must not start yet.
func initActions(in decisionInput, sb *sandboxState, acts *podActions) bool {
	pod, st := in.Pod, in.State
	appsCreated := false
	for i := range pod.Spec.Containers {
		if inSandbox(st, sb, pod.Spec.Containers[i].Name) != nil {
			appsCreated = true
		}
	}
	regularDone := true
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		if isSidecar(c) {
			continue
		}
		if cur := inSandbox(st, sb, c.Name); cur == nil || !cur.exited() || cur.ExitCode != 0 {
			regularDone = false
		}
	}
	initialized := appsCreated || regularDone
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		cur := inSandbox(st, sb, c.Name)
		if isSidecar(c) {
			appAction(in, sb, c, true, acts)
			started := cur != nil && cur.running() && !in.Probes.NotStarted[c.Name]
			if !started && !appsCreated {
				return true
			}
			continue
		}
		if initialized {
			continue
		}
		switch {
		case cur == nil:
			acts.Start = append(acts.Start, startAction{Container: c, Init: true, RestartCount: nextRestartCount(st, c.Name)})
			return true
		case cur.running():
			return true
		case cur.exited() && cur.ExitCode == 0:
			continue
		case cur.exited():
			if pod.Spec.RestartPolicy == v1.RestartPolicyNever {
				return true // the pod failed; its status says so
			}
			restartOrWait(in, c, cur, true, acts)
			return true
		default: // created but never started, or unknown: replace it
			acts.Kill = append(acts.Kill, killAction{ID: cur.ID, Name: c.Name})
			acts.Start = append(acts.Start, startAction{Container: c, Init: true, RestartCount: nextRestartCount(st, c.Name)})
			return true
		}
	}
	return false
}

// appAction decides for one long-running container (an app container or a
// sidecar): start it, restart it, kill it or leave it.
func appAction(in decisionInput, sb *sandboxState, c *v1.Container, sidecar bool, acts *podActions) {
	st := in.State
	cur := inSandbox(st, sb, c.Name)
	switch {
	case cur == nil:
		last := st.latest(c.Name)
		if last != nil && last.exited() && !sidecar && !shouldRestart(in.Pod, last.ExitCode) {
			return
		}
		acts.Start = append(acts.Start, startAction{Container: c, Init: sidecar, RestartCount: nextRestartCount(st, c.Name)})
	case cur.running():
		if cur.Hash != "" && cur.Hash != hashContainer(c) {
			acts.Kill = append(acts.Kill, killAction{ID: cur.ID, Name: c.Name,
				Message: fmt.Sprintf("Container %s definition changed, will be restarted", c.Name)})
			return
		}
		if msg, failed := in.Probes.Failed[c.Name]; failed {
			acts.Kill = append(acts.Kill, killAction{ID: cur.ID, Name: c.Name, Message: msg, Grace: probeGrace(c)})
		}
	case cur.exited():
		if !sidecar && !shouldRestart(in.Pod, cur.ExitCode) {
			return
		}
		restartOrWait(in, c, cur, sidecar, acts)
	default:
		acts.Kill = append(acts.Kill, killAction{ID: cur.ID, Name: c.Name})
		acts.Start = append(acts.Start, startAction{Container: c, Init: sidecar, RestartCount: nextRestartCount(st, c.Name)})
	}
}

// probeGrace is the liveness or startup probe's own grace period, if set.
func probeGrace(c *v1.Container) *int64 {
	for _, p := range []*v1.Probe{c.LivenessProbe, c.StartupProbe} {
		if p != nil && p.TerminationGracePeriodSeconds != nil {
			return p.TerminationGracePeriodSeconds
		}
	}
	return nil
}

// restartOrWait restarts an exited container unless its back-off holds it.
func restartOrWait(in decisionInput, c *v1.Container, cur *containerState, init bool, acts *podActions) {
	delay := time.Duration(0)
	if in.BackOff != nil {
		delay = in.BackOff(c.Name)
	}
	if inBackOff(delay, cur.FinishedAt, in.Now) {
		acts.Waiting[c.Name] = waitingReason{
			Reason: "CrashLoopBackOff",
			Message: fmt.Sprintf("back-off %s restarting failed container=%s pod=%s_%s(%s)",
				delay, c.Name, in.Pod.Name, in.Pod.Namespace, in.Pod.UID),
		}
		return
	}
	acts.Start = append(acts.Start, startAction{Container: c, Init: init, RestartCount: cur.RestartCount + 1, Restart: true})
}

// inSandbox returns the newest instance of a container in the given sandbox.
func inSandbox(st *podState, sb *sandboxState, name string) *containerState {
	for _, c := range st.Containers {
		if c.Name == name && c.SandboxID == sb.ID {
			return c
		}
	}
	return nil
}

// nextRestartCount is one more than the newest instance's count, so counts
// keep growing across sandboxes (and CRI IDs built from them never clash).
func nextRestartCount(st *podState, name string) int {
	if last := st.latest(name); last != nil {
		return last.RestartCount + 1
	}
	return 0
}

// shouldRestart applies the pod's restartPolicy to an exited container.
func shouldRestart(pod *v1.Pod, exitCode int32) bool {
	switch pod.Spec.RestartPolicy {
	case v1.RestartPolicyNever:
		return false
	case v1.RestartPolicyOnFailure:
		return exitCode != 0
	default:
		return true
	}
}

// isSidecar reports an init container that keeps running (restartPolicy
// Always), started before the app containers.
func isSidecar(c *v1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == v1.ContainerRestartPolicyAlways
}

// containerType is the CRI label value for a container.
func containerType(c *v1.Container, init bool) string {
	switch {
	case init && isSidecar(c):
		return containerTypeSidecar
	case init:
		return containerTypeInit
	}
	return containerTypeRegular
}
