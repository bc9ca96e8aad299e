package nodelifecycle

import (
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// health is what was last seen of a node's heartbeats, and when (on our
// clock) one last changed.
type health struct {
	probe          time.Time
	readyHeartbeat metav1.Time
	leaseRenew     metav1.MicroTime
}

func condition(status *corev1.NodeStatus, kind corev1.NodeConditionType) *corev1.NodeCondition {
	for i := range status.Conditions {
		if status.Conditions[i].Type == kind {
			return &status.Conditions[i]
		}
	}
	return nil
}

// observe is h (nil: never seen) after looking at node and its lease at
// now: the probe time moves to now when a heartbeat changed. A node first
// seen gets a full grace period from now, as upstream after a restart; a
// node that never posted status counts from its creation.
func observe(h *health, node *corev1.Node, lease *coordinationv1.Lease, now time.Time) *health {
	ready := condition(&node.Status, corev1.NodeReady)
	next := health{}
	if h != nil {
		next = *h
	}
	switch {
	case h == nil && ready == nil:
		next.probe = node.CreationTimestamp.Time
	case h == nil:
		next.probe = now
		next.readyHeartbeat = ready.LastHeartbeatTime
	case ready != nil && !ready.LastHeartbeatTime.Equal(&h.readyHeartbeat):
		next.probe = now
		next.readyHeartbeat = ready.LastHeartbeatTime
	}
	if lease != nil && lease.Spec.RenewTime != nil && h != nil && lease.Spec.RenewTime.After(h.leaseRenew.Time) {
		next.probe = now
	}
	if lease != nil && lease.Spec.RenewTime != nil && lease.Spec.RenewTime.After(next.leaseRenew.Time) {
		next.leaseRenew = *lease.Spec.RenewTime
	}
	return &next
}

// expired tells whether the node's heartbeats are overdue.
func expired(h *health, node *corev1.Node, now time.Time, grace, startupGrace time.Duration) bool {
	g := grace
	if condition(&node.Status, corev1.NodeReady) == nil {
		g = startupGrace
	}
	return now.After(h.probe.Add(g))
}

// unknownConditions are the conditions the kubelet keeps, set Unknown;
// NetworkUnavailable is not the kubelet's, so it is left alone.
var unknownConditions = []corev1.NodeConditionType{corev1.NodeReady, corev1.NodeMemoryPressure, corev1.NodeDiskPressure, corev1.NodePIDPressure}

// markUnknown is status with those conditions Unknown, and whether that
// changed anything.
func markUnknown(node *corev1.Node, now time.Time) (corev1.NodeStatus, bool) {
	status := *node.Status.DeepCopy()
	changed := false
	ts := metav1.NewTime(now)
	for _, kind := range unknownConditions {
		c := condition(&status, kind)
		switch {
		case c == nil:
			status.Conditions = append(status.Conditions, corev1.NodeCondition{
				Type: kind, Status: corev1.ConditionUnknown,
				Reason: "NodeStatusNeverUpdated", Message: "Kubelet never posted node status.",
				LastHeartbeatTime: node.CreationTimestamp, LastTransitionTime: ts,
			})
			changed = true
		case c.Status != corev1.ConditionUnknown:
			c.Status = corev1.ConditionUnknown
			c.Reason = "NodeStatusUnknown"
			c.Message = "Kubelet stopped posting node status."
			c.LastTransitionTime = ts
			changed = true
		}
	}
	return status, changed
}

// readyStatus is the node's Ready status (Unknown when it has none).
func readyStatus(node *corev1.Node) corev1.ConditionStatus {
	if c := condition(&node.Status, corev1.NodeReady); c != nil {
		return c.Status
	}
	return corev1.ConditionUnknown
}
