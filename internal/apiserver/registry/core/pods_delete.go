package core

import (
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// GracePeriod makes pod deletion graceful: a pod running on a node is only
// marked (deletionTimestamp = now + grace) so its kubelet can stop it and
// then delete it with grace 0. A pod on no node, or one that has finished,
// goes at once, as upstream.
func (podStrategy) GracePeriod(obj runtime.Object, requested *int64) int64 {
	pod := obj.(*v1.Pod)
	if pod.Spec.NodeName == "" || pod.Status.Phase == v1.PodSucceeded || pod.Status.Phase == v1.PodFailed {
		return 0
	}
	grace := int64(v1.DefaultTerminationGracePeriodSeconds)
	if pod.Spec.TerminationGracePeriodSeconds != nil {
		grace = *pod.Spec.TerminationGracePeriodSeconds
	}
	if requested != nil {
		grace = *requested
	}
	if grace < 0 {
		grace = 1 // upstream turns a negative grace into the shortest non-zero one
	}
	return grace
}
