package core

import (
	"fmt"
	"strconv"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// nodeUnreachablePodReason is what the node lifecycle controller puts in
// status.reason when it gives up on a pod's node.
const nodeUnreachablePodReason = "NodeLost"

func (podStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		registry.Column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic.", false),
		registry.Column("Status", "string", "The aggregate status of the containers in this pod.", false),
		registry.Column("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.", false),
		registry.AgeColumn,
		registry.Column("IP", "string", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", true),
		registry.Column("Node", "string", "NodeName indicates in which node this pod is scheduled.", true),
		registry.Column("Nominated Node", "string", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.", true),
		registry.Column("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness.", true),
	}
}

// TableRow renders a pod the way `kubectl get pods -o wide` does.
func (podStrategy) TableRow(obj runtime.Object) []interface{} {
	pod := obj.(*v1.Pod)
	ready, total, status, restarts := PodSummary(pod)
	ip := ""
	if len(pod.Status.PodIPs) > 0 {
		ip = pod.Status.PodIPs[0].IP
	}
	gates := "<none>"
	if n := len(pod.Spec.ReadinessGates); n > 0 {
		trueCount := 0
		for _, g := range pod.Spec.ReadinessGates {
			for _, c := range pod.Status.Conditions {
				if c.Type == g.ConditionType {
					if c.Status == v1.ConditionTrue {
						trueCount++
					}
					break
				}
			}
		}
		gates = fmt.Sprintf("%d/%d", trueCount, n)
	}
	return []interface{}{
		fmt.Sprintf("%d/%d", ready, total), status, restarts, registry.Age(obj),
		orNone(ip), orNone(pod.Spec.NodeName), orNone(pod.Status.NominatedNodeName), gates,
	}
}

func isRestartableInit(c *v1.Container) bool {
	return c != nil && c.RestartPolicy != nil && *c.RestartPolicy == v1.ContainerRestartPolicyAlways
}

// PodSummary computes the READY counts, the STATUS word and the RESTARTS
// cell of kubectl's pod listing, following upstream's printer: the phase
// (or status.reason) unless an init container is still running or failed
// ("Init:1/2", "Init:CrashLoopBackOff") or a container is waiting or
// terminated with a reason ("CrashLoopBackOff", "Completed"), and
// "Terminating" once a deletion is under way. Restarts get an "(5m ago)"
// suffix from the last container termination.
func PodSummary(pod *v1.Pod) (ready, total int, status, restarts string) {
	total = len(pod.Spec.Containers)
	reason := string(pod.Status.Phase)
	if pod.Status.Reason != "" {
		reason = pod.Status.Reason
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == v1.PodScheduled && c.Reason == v1.PodReasonSchedulingGated {
			reason = v1.PodReasonSchedulingGated
		}
	}

	initByName := map[string]*v1.Container{}
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		initByName[c.Name] = c
		if isRestartableInit(c) {
			total++ // sidecars count as containers of the pod
		}
	}

	restartCount, sidecarRestarts := 0, 0
	var lastRestart, lastSidecarRestart metav1.Time
	later := func(t *metav1.Time, s v1.ContainerStatus) {
		if term := s.LastTerminationState.Terminated; term != nil && t.Before(&term.FinishedAt) {
			*t = term.FinishedAt
		}
	}

	initializing := false
	for i, s := range pod.Status.InitContainerStatuses {
		restartCount += int(s.RestartCount)
		later(&lastRestart, s)
		sidecar := isRestartableInit(initByName[s.Name])
		if sidecar {
			sidecarRestarts += int(s.RestartCount)
			later(&lastSidecarRestart, s)
		}
		switch {
		case s.State.Terminated != nil && s.State.Terminated.ExitCode == 0:
			continue
		case sidecar && s.Started != nil && *s.Started:
			if s.Ready {
				ready++
			}
			continue
		case s.State.Terminated != nil:
			t := s.State.Terminated
			switch {
			case t.Reason != "":
				reason = "Init:" + t.Reason
			case t.Signal != 0:
				reason = fmt.Sprintf("Init:Signal:%d", t.Signal)
			default:
				reason = fmt.Sprintf("Init:ExitCode:%d", t.ExitCode)
			}
		case s.State.Waiting != nil && s.State.Waiting.Reason != "" && s.State.Waiting.Reason != "PodInitializing":
			reason = "Init:" + s.State.Waiting.Reason
		default:
			reason = fmt.Sprintf("Init:%d/%d", i, len(pod.Spec.InitContainers))
		}
		initializing = true
		break
	}

	if !initializing || podConditionTrue(pod, v1.PodInitialized) {
		// Once initialised, restarts of finished init containers no
		// longer matter; sidecars keep counting.
		restartCount, lastRestart = sidecarRestarts, lastSidecarRestart
		hasRunning := false
		for i := len(pod.Status.ContainerStatuses) - 1; i >= 0; i-- {
			s := pod.Status.ContainerStatuses[i]
			restartCount += int(s.RestartCount)
			later(&lastRestart, s)
			switch {
			case s.State.Waiting != nil && s.State.Waiting.Reason != "":
				reason = s.State.Waiting.Reason
			case s.State.Terminated != nil && s.State.Terminated.Reason != "":
				reason = s.State.Terminated.Reason
			case s.State.Terminated != nil && s.State.Terminated.Signal != 0:
				reason = fmt.Sprintf("Signal:%d", s.State.Terminated.Signal)
			case s.State.Terminated != nil:
				reason = fmt.Sprintf("ExitCode:%d", s.State.Terminated.ExitCode)
			case s.Ready && s.State.Running != nil:
				hasRunning = true
				ready++
			}
		}
		// One container finished but another still runs: the pod runs.
		if reason == "Completed" && hasRunning {
			if podConditionTrue(pod, v1.PodReady) {
				reason = "Running"
			} else {
				reason = "NotReady"
			}
		}
	}

	terminal := pod.Status.Phase == v1.PodSucceeded || pod.Status.Phase == v1.PodFailed
	if pod.DeletionTimestamp != nil && pod.Status.Reason == nodeUnreachablePodReason {
		reason = "Unknown"
	} else if pod.DeletionTimestamp != nil && !terminal {
		reason = "Terminating"
	}

	restarts = strconv.Itoa(restartCount)
	if restartCount != 0 && !lastRestart.IsZero() {
		restarts = fmt.Sprintf("%d (%s ago)", restartCount, registry.HumanAge(lastRestart))
	}
	return ready, total, reason, restarts
}

func podConditionTrue(pod *v1.Pod, t v1.PodConditionType) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == t {
			return c.Status == v1.ConditionTrue
		}
	}
	return false
}
