package nodelifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"
)

// enqueuePodsOn has every pod on node looked at (its NoExecute taints
// changed).
func (c *Controller) enqueuePodsOn(node string) {
	pods, err := c.podIndex.ByIndex(podsByNode, node)
	if err != nil {
		return
	}
	for _, p := range pods {
		c.evictLoop.Add(p)
	}
}

// syncPod evicts pod key if its node's NoExecute taints say so, now or
// later.
func (c *Controller) syncPod(ctx context.Context, key string) error {
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
	if pod.Spec.NodeName == "" || pod.DeletionTimestamp != nil {
		return nil
	}
	node, err := c.nodes.Get(pod.Spec.NodeName)
	if err != nil {
		return nil // no node: the pod GC's business
	}
	taints := noExecute(node.Spec.Taints)
	if len(taints) == 0 {
		return nil
	}
	now := c.now()
	c.stampTaints(node.Name, taints, now)
	at, never := evictionTime(taints, pod.Spec.Tolerations, now)
	if never {
		return nil
	}
	if wait := at.Sub(now); wait > 0 {
		c.evictLoop.Queue.AddAfter(key, wait)
		return nil
	}
	return c.evict(ctx, pod)
}

// stampTaints gives taints (a copy) without timeAdded the time they were
// first seen on node.
func (c *Controller) stampTaints(node string, taints []corev1.Taint, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range taints {
		if taints[i].TimeAdded != nil {
			continue
		}
		k := node + "|" + taints[i].Key + "|" + taints[i].Value
		seen, ok := c.taintSeen[k]
		if !ok {
			seen = now
			c.taintSeen[k] = now
		}
		ts := metav1.NewTime(seen)
		taints[i].TimeAdded = &ts
	}
}

// Upstream's words for a taint eviction.
const (
	reasonDeletionByTaintManager = "DeletionByTaintManager"
	messageTaintEviction         = "Taint manager: deleting due to NoExecute taint"
)

// evict marks pod with why and deletes it. The cache may be behind an
// eviction already made (the key comes back when the pod's status
// changes), so the pod is read live first, as upstream.
func (c *Controller) evict(ctx context.Context, cached *corev1.Pod) error {
	pod, err := c.client.CoreV1().Pods(cached.Namespace).Get(ctx, cached.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if pod.UID != cached.UID || pod.DeletionTimestamp != nil {
		return nil
	}
	c.recorder.Eventf(pod, corev1.EventTypeNormal, "TaintManagerEviction", "Marking for deletion Pod %s/%s", pod.Namespace, pod.Name)
	patch, _ := json.Marshal(map[string]any{"status": map[string]any{"conditions": []corev1.PodCondition{{
		Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue, Reason: reasonDeletionByTaintManager,
		Message: messageTaintEviction, LastTransitionTime: metav1.NewTime(c.now()),
	}}}})
	_, err = c.client.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{}, "status")
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("marking pod %s/%s for eviction: %w", pod.Namespace, pod.Name, err)
	}
	uid := pod.UID
	err = c.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil
	}
	if err == nil {
		c.log.WithFields(logrus.Fields{"pod": pod.Name, "namespace": pod.Namespace, "node": pod.Spec.NodeName}).Info("evicted")
	}
	return err
}
