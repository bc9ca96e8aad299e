package kubelet

import (
	"fmt"
	"sort"
	"strings"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// terminalReason forces a pod to Failed (eviction, deadline).
type terminalReason struct {
	Reason, Message string
}

// statusInput gathers everything computePodStatus reads.
type statusInput struct {
	Pod         *v1.Pod
	State       *podState
	RuntimeName string // "containerd": container IDs are "<name>://<id>"
	// Ready holds readiness probe results by container name (true when the
	// container has no readiness probe and runs).
	Ready map[string]bool
	// NotStarted names running containers whose startup probe has not yet
	// succeeded.
	NotStarted map[string]bool
	// Waiting holds why containers are held back (CrashLoopBackOff,
	// ErrImagePull, CreateContainerConfigError ...), from the last sync.
	Waiting  map[string]waitingReason
	HostIPs  []string
	Terminal *terminalReason
	// Terminating is set for the last status of a pod being deleted: once
	// nothing runs, it ends Succeeded or Failed whatever its restartPolicy.
	Terminating bool
	Now         time.Time
}

// computePodStatus derives a pod's status from its runtime state. It is
// pure: the same inputs give the same status, so writing it only when it
// differs from the stored one keeps the API quiet.
func computePodStatus(in statusInput) v1.PodStatus {
	pod, st := in.Pod, in.State
	old := pod.Status
	now := apiTime(in.Now)
	s := v1.PodStatus{
		QOSClass:          qosClass(pod),
		StartTime:         old.StartTime,
		NominatedNodeName: old.NominatedNodeName,
	}
	if s.StartTime == nil {
		s.StartTime = &now
	}
	if len(in.HostIPs) > 0 {
		s.HostIP = in.HostIPs[0]
		for _, ip := range in.HostIPs {
			s.HostIPs = append(s.HostIPs, v1.HostIP{IP: ip})
		}
	}
	ips := podIPs(pod, st, in.HostIPs)
	if len(ips) == 0 {
		s.PodIP, s.PodIPs = old.PodIP, old.PodIPs
	} else {
		s.PodIP = ips[0]
		for _, ip := range ips {
			s.PodIPs = append(s.PodIPs, v1.PodIP{IP: ip})
		}
	}

	initDone := true
	var incompleteInit []string
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		cs := containerStatus(in, c, true)
		s.InitContainerStatuses = append(s.InitContainerStatuses, cs)
		if isSidecar(c) {
			if cs.Started == nil || !*cs.Started {
				if !appsCreated(pod, st) {
					initDone = false
					incompleteInit = append(incompleteInit, c.Name)
				}
			}
			continue
		}
		if cs.State.Terminated == nil || cs.State.Terminated.ExitCode != 0 {
			if !appsCreated(pod, st) {
				initDone = false
				incompleteInit = append(incompleteInit, c.Name)
			}
		}
	}
	for i := range pod.Spec.Containers {
		cs := containerStatus(in, &pod.Spec.Containers[i], false)
		if !initDone && cs.State.Waiting != nil && cs.State.Waiting.Reason == "ContainerCreating" {
			cs.State.Waiting.Reason = "PodInitializing"
		}
		s.ContainerStatuses = append(s.ContainerStatuses, cs)
	}

	s.Phase = podPhase(pod, s, initDone)
	if in.Terminating && s.Phase != v1.PodPending {
		s.Phase = terminatedPhase(s)
	}
	switch {
	case in.Terminal != nil:
		s.Phase, s.Reason, s.Message = v1.PodFailed, in.Terminal.Reason, in.Terminal.Message
	case old.Phase == v1.PodFailed || old.Phase == v1.PodSucceeded:
		// A pod never leaves a terminal phase.
		s.Phase, s.Reason, s.Message = old.Phase, old.Reason, old.Message
	}

	s.Conditions = podConditions(in, s, initDone, incompleteInit, now)
	return s
}

// appsCreated reports whether any app container exists: past that point the
// pod counts as initialised for good.
func appsCreated(pod *v1.Pod, st *podState) bool {
	for i := range pod.Spec.Containers {
		if st.latest(pod.Spec.Containers[i].Name) != nil {
			return true
		}
	}
	return false
}

// podIPs are the newest ready sandbox's IPs; host-network pods share the
// node's.
func podIPs(pod *v1.Pod, st *podState, hostIPs []string) []string {
	if pod.Spec.HostNetwork {
		return hostIPs
	}
	if sb := st.sandbox(); sb != nil && sb.Ready {
		return sb.IPs
	}
	return nil
}

// containerStatus builds one container's status from its newest and
// previous instances.
func containerStatus(in statusInput, c *v1.Container, init bool) v1.ContainerStatus {
	latest, prev := in.State.latest(c.Name), in.State.previous(c.Name)
	cs := v1.ContainerStatus{Name: c.Name, Image: c.Image}
	f := false
	cs.Started = &f
	waiting, held := in.Waiting[c.Name]
	if latest == nil {
		reason := "ContainerCreating"
		if init {
			reason = "PodInitializing"
		}
		if held {
			cs.State.Waiting = &v1.ContainerStateWaiting{Reason: waiting.Reason, Message: waiting.Message}
		} else {
			cs.State.Waiting = &v1.ContainerStateWaiting{Reason: reason}
		}
		return cs
	}
	cs.RestartCount = int32(latest.RestartCount)
	cs.ContainerID = containerIDString(in.RuntimeName, latest.ID)
	cs.ImageID = latest.ImageRef
	if latest.Image != "" && latest.Image != c.Image && !strings.HasPrefix(latest.Image, "sha256:") {
		cs.Image = latest.Image
	}
	switch {
	case latest.running():
		cs.State.Running = &v1.ContainerStateRunning{StartedAt: apiTime(latest.StartedAt)}
		started := !in.NotStarted[c.Name]
		cs.Started = &started
		cs.Ready = started && in.Ready[c.Name]
		if prev != nil && prev.exited() {
			cs.LastTerminationState.Terminated = terminatedState(in.RuntimeName, prev)
		}
	case latest.exited():
		if held {
			cs.State.Waiting = &v1.ContainerStateWaiting{Reason: waiting.Reason, Message: waiting.Message}
			cs.LastTerminationState.Terminated = terminatedState(in.RuntimeName, latest)
		} else {
			cs.State.Terminated = terminatedState(in.RuntimeName, latest)
			if prev != nil && prev.exited() {
				cs.LastTerminationState.Terminated = terminatedState(in.RuntimeName, prev)
			}
		}
	default: // created, not started yet
		reason := waitingReason{Reason: "ContainerCreating"}
		if held {
			reason = waiting
		}
		cs.State.Waiting = &v1.ContainerStateWaiting{Reason: reason.Reason, Message: reason.Message}
		if prev != nil && prev.exited() {
			cs.LastTerminationState.Terminated = terminatedState(in.RuntimeName, prev)
		}
	}
	return cs
}

// terminatedState turns an exited instance into the API's terminated state;
// a missing runtime reason becomes Completed or Error as upstream.
func terminatedState(runtimeName string, c *containerState) *v1.ContainerStateTerminated {
	reason := c.Reason
	if reason == "" {
		reason = "Error"
		if c.ExitCode == 0 {
			reason = "Completed"
		}
	}
	return &v1.ContainerStateTerminated{
		ExitCode:    c.ExitCode,
		Reason:      reason,
		Message:     c.Message,
		StartedAt:   apiTime(c.StartedAt),
		FinishedAt:  apiTime(c.FinishedAt),
		ContainerID: containerIDString(runtimeName, c.ID),
	}
}

func containerIDString(runtimeName, id string) string {
	if runtimeName == "" {
		runtimeName = "containerd"
	}
	return runtimeName + "://" + id
}

// podPhase follows upstream's rules: Pending until initialised and every
// container has run, Running while any runs or will restart, then Succeeded
// or Failed.
func podPhase(pod *v1.Pod, s v1.PodStatus, initDone bool) v1.PodPhase {
	if !initDone {
		for _, cs := range s.InitContainerStatuses {
			t := cs.State.Terminated
			if t != nil && t.ExitCode != 0 && pod.Spec.RestartPolicy == v1.RestartPolicyNever {
				return v1.PodFailed
			}
		}
		return v1.PodPending
	}
	var running, waiting, stopped, succeeded int
	for _, cs := range s.ContainerStatuses {
		switch {
		case cs.State.Running != nil:
			running++
		case cs.State.Terminated != nil:
			stopped++
			if cs.State.Terminated.ExitCode == 0 {
				succeeded++
			}
		case cs.State.Waiting != nil:
			if cs.LastTerminationState.Terminated != nil {
				stopped++
			} else {
				waiting++
			}
		}
	}
	switch {
	case waiting > 0:
		return v1.PodPending
	case running > 0:
		return v1.PodRunning
	case stopped > 0:
		if pod.Spec.RestartPolicy == v1.RestartPolicyAlways {
			return v1.PodRunning
		}
		if stopped == succeeded {
			return v1.PodSucceeded
		}
		if pod.Spec.RestartPolicy == v1.RestartPolicyNever {
			return v1.PodFailed
		}
		return v1.PodRunning
	}
	return v1.PodPending
}

// terminatedPhase is the phase of a deleted pod whose containers all
// stopped: Succeeded only if every one exited 0.
func terminatedPhase(s v1.PodStatus) v1.PodPhase {
	for _, cs := range s.ContainerStatuses {
		if cs.State.Running != nil {
			return s.Phase
		}
		t := cs.State.Terminated
		if t == nil {
			t = cs.LastTerminationState.Terminated
		}
		if t == nil || t.ExitCode != 0 {
			return v1.PodFailed
		}
	}
	return v1.PodSucceeded
}

// podConditions builds the kubelet-owned conditions and keeps the others
// (PodScheduled, DisruptionTarget, readiness gates' own conditions).
func podConditions(in statusInput, s v1.PodStatus, initDone bool, incompleteInit []string, now metav1.Time) []v1.PodCondition {
	pod := in.Pod
	owned := map[v1.PodConditionType]bool{
		v1.PodReadyToStartContainers: true, v1.PodInitialized: true,
		v1.ContainersReady: true, v1.PodReady: true,
	}
	var out []v1.PodCondition
	for _, c := range pod.Status.Conditions {
		if !owned[c.Type] {
			out = append(out, c)
		}
	}
	set := func(t v1.PodConditionType, ok bool, reason, message string) {
		status := v1.ConditionFalse
		if ok {
			status, reason, message = v1.ConditionTrue, "", ""
		}
		c := v1.PodCondition{Type: t, Status: status, Reason: reason, Message: message, LastTransitionTime: now}
		for _, o := range pod.Status.Conditions {
			if o.Type == t && o.Status == status {
				c.LastTransitionTime = o.LastTransitionTime
			}
		}
		out = append(out, c)
	}

	terminal := s.Phase == v1.PodSucceeded || s.Phase == v1.PodFailed
	sb := in.State.sandbox()
	set(v1.PodReadyToStartContainers, sb != nil && sb.Ready && !terminal, "", "")

	initReason, initMsg := "", ""
	if !initDone {
		initReason = "ContainersNotInitialized"
		initMsg = fmt.Sprintf("containers with incomplete status: [%s]", strings.Join(incompleteInit, " "))
	}
	set(v1.PodInitialized, initDone, initReason, initMsg)

	var unready []string
	for _, cs := range s.InitContainerStatuses {
		for i := range pod.Spec.InitContainers {
			if pod.Spec.InitContainers[i].Name == cs.Name && isSidecar(&pod.Spec.InitContainers[i]) && !cs.Ready {
				unready = append(unready, cs.Name)
			}
		}
	}
	for _, cs := range s.ContainerStatuses {
		if !cs.Ready {
			unready = append(unready, cs.Name)
		}
	}
	ready := len(unready) == 0 && !terminal
	readyReason, readyMsg := "", ""
	switch {
	case terminal && s.Phase == v1.PodSucceeded:
		readyReason = "PodCompleted"
	case terminal:
		readyReason = "PodFailed"
	case !ready:
		readyReason = "ContainersNotReady"
		readyMsg = fmt.Sprintf("containers with unready status: [%s]", strings.Join(unready, " "))
	}
	set(v1.ContainersReady, ready, readyReason, readyMsg)

	podReady, podReason, podMsg := ready, readyReason, readyMsg
	if ready {
		var gateMsgs []string
		for _, g := range pod.Spec.ReadinessGates {
			found := false
			for _, c := range pod.Status.Conditions {
				if c.Type == g.ConditionType {
					found = true
					if c.Status != v1.ConditionTrue {
						gateMsgs = append(gateMsgs, fmt.Sprintf("the status of pod readiness gate %q is not \"True\", but %s", g.ConditionType, c.Status))
					}
				}
			}
			if !found {
				gateMsgs = append(gateMsgs, fmt.Sprintf("corresponding condition of pod readiness gate %q does not exist.", g.ConditionType))
			}
		}
		if len(gateMsgs) > 0 {
			podReady, podReason, podMsg = false, "ReadinessGatesNotReady", strings.Join(gateMsgs, ", ")
		}
	}
	set(v1.PodReady, podReady, podReason, podMsg)

	sortConditions(out)
	return out
}

// sortConditions orders conditions as upstream lists them.
func sortConditions(out []v1.PodCondition) {
	order := map[v1.PodConditionType]int{
		v1.PodReadyToStartContainers: 0, v1.PodInitialized: 1, v1.PodReady: 2,
		v1.ContainersReady: 3, v1.PodScheduled: 4,
	}
	rank := func(t v1.PodConditionType) int {
		if o, ok := order[t]; ok {
			return o
		}
		return 5
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i].Type) < rank(out[j].Type) })
}

// apiTime is t as the API stores it (whole seconds), so a status computed
// from CRI's nanosecond times compares equal to its stored copy.
func apiTime(t time.Time) metav1.Time {
	if t.IsZero() {
		return metav1.Time{}
	}
	return metav1.NewTime(t.Truncate(time.Second))
}
