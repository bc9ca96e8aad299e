package apiserver

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/hanok-dev/hanok/internal/apiserver/storage"
)

// chargeDisruptionBudget is the PodDisruptionBudget check of an eviction,
// as upstream's: a pod covered by a budget may only be evicted while the
// budget allows a disruption, and each allowed eviction takes one
// (disruptionsAllowed - 1, the pod recorded in disruptedPods) in the same
// optimistic-concurrency write, so concurrent evictions never overdraw it.
// A pod that is not running (Pending, Succeeded, Failed) is never held by
// a budget; nor is an unready pod when the budget's
// unhealthyPodEvictionPolicy is AlwaysAllow, or when the budget is
// currently healthy under IfHealthyBudget.
func (s *Server) chargeDisruptionBudget(ctx context.Context, pod *corev1.Pod, dry bool) error {
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed || pod.Status.Phase == corev1.PodPending {
		return nil
	}
	h := s.byGroupResource[schema.GroupResource{Group: policyv1.GroupName, Resource: "poddisruptionbudgets"}]
	if h == nil {
		return nil
	}
	// A consistent read, not the watch cache: a budget created a moment
	// ago must already hold. Evictions are rare enough to afford it.
	list := &policyv1.PodDisruptionBudgetList{}
	if err := h.store.List(ctx, h.listPrefix(pod.Namespace), storage.ListOptions{Recursive: true}, list); err != nil {
		return err
	}
	var matching []string
	for i := range list.Items {
		sel, err := metav1.LabelSelectorAsSelector(list.Items[i].Spec.Selector)
		if err != nil || sel.Empty() {
			continue // an empty selector selects nothing in policy/v1 evictions
		}
		if sel.Matches(labels.Set(pod.Labels)) {
			matching = append(matching, list.Items[i].Name)
		}
	}
	switch len(matching) {
	case 0:
		return nil
	case 1:
	default:
		return apierrors.NewInternalError(fmt.Errorf("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."))
	}
	if dry {
		return nil
	}
	out := h.res.New()
	err := h.store.GuaranteedUpdate(ctx, h.key(pod.Namespace, matching[0]), out, false, nil, func(current runtime.Object) (runtime.Object, error) {
		pdb := current.(*policyv1.PodDisruptionBudget).DeepCopy()
		if !podReady(pod) && unreadyMayGo(pdb) {
			return nil, errNoBudgetWrite
		}
		if pdb.Status.ObservedGeneration < pdb.Generation {
			return nil, tooManyRequests(fmt.Sprintf("The disruption budget %s is still being processed by the server.", pdb.Name))
		}
		if pdb.Status.DisruptionsAllowed <= 0 {
			return nil, tooManyRequests(fmt.Sprintf("The disruption budget %s needs %d healthy pods and has %d currently",
				pdb.Name, pdb.Status.DesiredHealthy, pdb.Status.CurrentHealthy))
		}
		pdb.Status.DisruptionsAllowed--
		if pdb.Status.DisruptedPods == nil {
			pdb.Status.DisruptedPods = map[string]metav1.Time{}
		}
		pdb.Status.DisruptedPods[pod.Name] = metav1.Now()
		return pdb, nil
	})
	if errors.Is(err, errNoBudgetWrite) {
		return nil
	}
	return err
}

// errNoBudgetWrite ends the budget's update loop without writing: the pod
// may go without taking a disruption.
var errNoBudgetWrite = errors.New("eviction: budget not charged")

func unreadyMayGo(pdb *policyv1.PodDisruptionBudget) bool {
	if p := pdb.Spec.UnhealthyPodEvictionPolicy; p != nil && *p == policyv1.AlwaysAllow {
		return true
	}
	// IfHealthyBudget (the default): an unready pod may go while the
	// budget is met without it.
	return pdb.Status.CurrentHealthy >= pdb.Status.DesiredHealthy && pdb.Status.DesiredHealthy > 0
}

func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// tooManyRequests is the eviction's refusal: 429 with the DisruptionBudget
// cause, which kubectl drain reads to retry.
func tooManyRequests(message string) error {
	err := apierrors.NewTooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 0)
	err.ErrStatus.Details.Causes = append(err.ErrStatus.Details.Causes, metav1.StatusCause{
		Type: policyv1.DisruptionBudgetCause, Message: message})
	return err
}
