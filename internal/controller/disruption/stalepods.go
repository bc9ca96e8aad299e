package disruption

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
)

// StalePodDisruptionTimeout is how long a pod may carry a true
// DisruptionTarget condition without being deleted before the condition
// is turned false, as upstream: whatever meant to disrupt it (an eviction
// whose delete failed, a preemption given up) did not, and the condition
// must not mislead the pod's controllers (a Job's pod failure policy).
const StalePodDisruptionTimeout = 2 * time.Minute

// staleDisruption is when pod's DisruptionTarget condition goes stale,
// or false when it has none that could (not true, or the pod is going).
func staleDisruption(pod *corev1.Pod) (time.Time, bool) {
	if pod.DeletionTimestamp != nil {
		return time.Time{}, false
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.DisruptionTarget {
			if c.Status != corev1.ConditionTrue {
				return time.Time{}, false
			}
			return c.LastTransitionTime.Add(StalePodDisruptionTimeout), true
		}
	}
	return time.Time{}, false
}

// watchStale enqueues a pod whose DisruptionTarget condition will go
// stale, for when it does.
func (c *Controller) watchStale(obj any) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	if at, ok := staleDisruption(pod); ok {
		c.stale.AddAfter(pod, at.Sub(c.now()))
	}
}

// syncStale turns a stale DisruptionTarget condition false.
func (c *Controller) syncStale(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	pod, err := c.pods.Pods(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	at, ok := staleDisruption(pod)
	if !ok {
		return nil
	}
	if wait := at.Sub(c.now()); wait > 0 {
		c.stale.Queue.AddAfter(key, wait)
		return nil
	}
	updated := pod.DeepCopy()
	now := metav1.NewTime(c.now())
	for i := range updated.Status.Conditions {
		if cond := &updated.Status.Conditions[i]; cond.Type == corev1.DisruptionTarget {
			cond.Status, cond.LastTransitionTime = corev1.ConditionFalse, now
		}
	}
	_, err = c.client.CoreV1().Pods(ns).UpdateStatus(ctx, updated, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
