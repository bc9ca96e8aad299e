package ownedpods

import (
	"time"

	corev1 "k8s.io/api/core/v1"
)

// IsActive says whether pod counts towards a controller's replicas: not
// finished and not being deleted.
func IsActive(pod *corev1.Pod) bool {
	return pod.Status.Phase != corev1.PodSucceeded && pod.Status.Phase != corev1.PodFailed && pod.DeletionTimestamp == nil
}

// readyCondition is pod's Ready condition, or nil.
func readyCondition(pod *corev1.Pod) *corev1.PodCondition {
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == corev1.PodReady {
			return &pod.Status.Conditions[i]
		}
	}
	return nil
}

// IsReady says whether pod's Ready condition is True.
func IsReady(pod *corev1.Pod) bool {
	c := readyCondition(pod)
	return c != nil && c.Status == corev1.ConditionTrue
}

// IsAvailable says whether pod has been Ready for at least minReady at
// now.
func IsAvailable(pod *corev1.Pod, minReady time.Duration, now time.Time) bool {
	c := readyCondition(pod)
	if c == nil || c.Status != corev1.ConditionTrue {
		return false
	}
	return minReady <= 0 || !c.LastTransitionTime.IsZero() && !c.LastTransitionTime.Add(minReady).After(now)
}

// UntilAvailable is how long after now a Ready pod becomes available (0
// when it already is or is not Ready).
func UntilAvailable(pod *corev1.Pod, minReady time.Duration, now time.Time) time.Duration {
	c := readyCondition(pod)
	if c == nil || c.Status != corev1.ConditionTrue || minReady <= 0 {
		return 0
	}
	if d := c.LastTransitionTime.Add(minReady).Sub(now); d > 0 {
		return d
	}
	return 0
}

// NextAvailableCheck is how long until one of pods, Ready but not yet for
// minReady, becomes available (0: none is waiting).
func NextAvailableCheck(pods []*corev1.Pod, minReady time.Duration, now time.Time) time.Duration {
	var next time.Duration
	for _, pod := range pods {
		if d := UntilAvailable(pod, minReady, now); d > 0 && (next == 0 || d < next) {
			next = d
		}
	}
	return next
}

// delayer is the part of a work queue RecheckWhenAvailable needs.
type delayer interface {
	AddAfter(key string, d time.Duration)
}

// RecheckWhenAvailable queues key again just after the next of pods passes
// minReadySeconds, so the owner's available count moves on time though no
// pod event marks that moment.
func RecheckWhenAvailable(q delayer, key string, pods []*corev1.Pod, minReadySeconds int32, now time.Time) {
	if next := NextAvailableCheck(pods, time.Duration(minReadySeconds)*time.Second, now); next > 0 {
		q.AddAfter(key, next+10*time.Millisecond)
	}
}
