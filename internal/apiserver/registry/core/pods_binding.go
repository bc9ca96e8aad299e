package core

import (
	"fmt"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// BindPod applies a Binding (POST pods/<name>/binding) to pod, as
// upstream's binding subresource does: the pod must be alive, unbound and
// free of scheduling gates; it gets the node name, the binding's
// annotations, and a PodScheduled=True condition stamped at. The handler
// reads the pod, calls BindPod, and writes it back with the read
// resourceVersion; an error is a conflict (409) to report to the caller.
func BindPod(pod *v1.Pod, b *v1.Binding, at metav1.Time) error {
	if b.Target.Kind != "" && b.Target.Kind != "Node" {
		return fmt.Errorf("binding target kind must be Node, got %q", b.Target.Kind)
	}
	if b.Target.Name == "" {
		return fmt.Errorf("binding target name (the node) is required")
	}
	if b.UID != "" && b.UID != pod.UID {
		return fmt.Errorf("pod %v: binding UID %s does not match the pod's %s", pod.Name, b.UID, pod.UID)
	}
	if pod.DeletionTimestamp != nil {
		return fmt.Errorf("pod %s is being deleted, cannot be assigned to a host", pod.Name)
	}
	if pod.Spec.NodeName != "" {
		return fmt.Errorf("pod %v is already assigned to node %q", pod.Name, pod.Spec.NodeName)
	}
	if len(pod.Spec.SchedulingGates) != 0 {
		return fmt.Errorf("pod %v has non-empty .spec.schedulingGates", pod.Name)
	}
	pod.Spec.NodeName = b.Target.Name
	if len(b.Annotations) > 0 && pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	for k, v := range b.Annotations {
		pod.Annotations[k] = v
	}
	cond := v1.PodCondition{Type: v1.PodScheduled, Status: v1.ConditionTrue, LastTransitionTime: at}
	for i, c := range pod.Status.Conditions {
		if c.Type == v1.PodScheduled {
			if c.Status == v1.ConditionTrue {
				cond.LastTransitionTime = c.LastTransitionTime
			}
			pod.Status.Conditions[i] = cond
			return nil
		}
	}
	pod.Status.Conditions = append(pod.Status.Conditions, cond)
	return nil
}
