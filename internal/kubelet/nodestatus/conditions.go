package nodestatus

import (
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// conditionsInput is what the node conditions are computed from.
type conditionsInput struct {
	runtimeReady, networkReady bool
	runtimeMessage             string
	memoryPressure             bool
	diskPressure               bool
	pidPressure                bool
}

// conditionSpec is one condition's status, reason and message.
type conditionSpec struct {
	typ     v1.NodeConditionType
	status  v1.ConditionStatus
	reason  string
	message string
}

// desiredConditions turns the inputs into conditions, with upstream's
// reasons and messages, in upstream's order.
func desiredConditions(in conditionsInput) []conditionSpec {
	pressure := func(typ v1.NodeConditionType, on bool, okReason, okMsg, badReason, badMsg string) conditionSpec {
		if on {
			return conditionSpec{typ, v1.ConditionTrue, badReason, badMsg}
		}
		return conditionSpec{typ, v1.ConditionFalse, okReason, okMsg}
	}
	ready := conditionSpec{v1.NodeReady, v1.ConditionTrue, "KubeletReady", "kubelet is posting ready status"}
	if !in.runtimeReady || !in.networkReady {
		msg := in.runtimeMessage
		if msg == "" {
			switch {
			case !in.runtimeReady:
				msg = "container runtime is down"
			default:
				msg = "container runtime network not ready"
			}
		}
		ready = conditionSpec{v1.NodeReady, v1.ConditionFalse, "KubeletNotReady", msg}
	}
	return []conditionSpec{
		pressure(v1.NodeMemoryPressure, in.memoryPressure,
			"KubeletHasSufficientMemory", "kubelet has sufficient memory available",
			"KubeletHasInsufficientMemory", "kubelet has insufficient memory available"),
		pressure(v1.NodeDiskPressure, in.diskPressure,
			"KubeletHasNoDiskPressure", "kubelet has no disk pressure",
			"KubeletHasDiskPressure", "kubelet has disk pressure"),
		pressure(v1.NodePIDPressure, in.pidPressure,
			"KubeletHasSufficientPID", "kubelet has sufficient PID available",
			"KubeletHasInsufficientPID", "kubelet has insufficient PID available"),
		ready,
	}
}

// mergeConditions applies want to the node's current conditions: every
// wanted condition gets heartbeat now, and a transition time of now only
// when its status changed. Conditions others own (NetworkUnavailable, ...)
// are kept as they are.
func mergeConditions(cur []v1.NodeCondition, want []conditionSpec, now metav1.Time) []v1.NodeCondition {
	out := make([]v1.NodeCondition, 0, len(cur)+len(want))
	index := map[v1.NodeConditionType]int{}
	for _, c := range cur {
		index[c.Type] = len(out)
		out = append(out, c)
	}
	for _, w := range want {
		c := v1.NodeCondition{
			Type: w.typ, Status: w.status, Reason: w.reason, Message: w.message,
			LastHeartbeatTime: now, LastTransitionTime: now,
		}
		i, ok := index[w.typ]
		if !ok {
			out = append(out, c)
			continue
		}
		if out[i].Status == w.status {
			c.LastTransitionTime = out[i].LastTransitionTime
		}
		out[i] = c
	}
	return out
}
