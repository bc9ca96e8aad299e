package kubelet

import (
	"context"

	v1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// writeStatus stores a pod's status when it differs from the stored one; a
// static pod's goes to its mirror pod. On a conflict the pod is read again
// and the status re-applied, keeping conditions others own.
func (k *Kubelet) writeStatus(ctx context.Context, pod *v1.Pod, static bool, status v1.PodStatus) error {
	target := pod
	if static {
		k.mu.Lock()
		target = k.mirrors[pod.Namespace+"/"+pod.Name]
		k.mu.Unlock()
		if target == nil {
			return nil // no mirror pod yet: SyncMirrors creates it
		}
	}
	pods := k.cfg.Client.CoreV1().Pods(target.Namespace)
	current := target
	for attempt := 0; attempt < 3; attempt++ {
		next := mergeForeignConditions(status, current.Status)
		if apiequality.Semantic.DeepEqual(current.Status, next) {
			return nil
		}
		cp := current.DeepCopy()
		cp.Status = next
		_, err := pods.UpdateStatus(ctx, cp, metav1.UpdateOptions{})
		if err == nil || !apierrors.IsConflict(err) {
			return err
		}
		fresh, err := pods.Get(ctx, target.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if fresh.UID != target.UID {
			return nil
		}
		current = fresh
	}
	return nil
}

// mergeForeignConditions keeps the stored conditions the kubelet does not
// own (PodScheduled, DisruptionTarget, readiness gates) as they are now.
func mergeForeignConditions(status v1.PodStatus, stored v1.PodStatus) v1.PodStatus {
	owned := map[v1.PodConditionType]bool{
		v1.PodReadyToStartContainers: true, v1.PodInitialized: true,
		v1.ContainersReady: true, v1.PodReady: true,
	}
	out := status
	out.Conditions = nil
	for _, c := range status.Conditions {
		if owned[c.Type] {
			out.Conditions = append(out.Conditions, c)
		}
	}
	for _, c := range stored.Conditions {
		if !owned[c.Type] {
			out.Conditions = append(out.Conditions, c)
		}
	}
	sortConditions(out.Conditions)
	return out
}
