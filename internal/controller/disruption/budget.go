package disruption

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// DeletionTimeout is how long an eviction's entry in status.disruptedPods
// keeps its pod out of the healthy count while the pod is not yet being
// deleted, as upstream.
const DeletionTimeout = 2 * time.Minute

// scaleFunc is the replica count of the controller ref names, or false
// when no known controller of that kind and UID exists.
type scaleFunc func(namespace string, ref *metav1.OwnerReference) (int32, bool, error)

// expectation is how many pods a budget expects and how many of them
// must stay healthy.
type expectation struct {
	expected, desired int32
	// unmanaged are pods without a controller, which a budget that needs
	// controllers' scales leaves out of the count.
	unmanaged []string
}

// expect is upstream's getExpectedPodCount: minAvailable as a number
// counts the pods there are; a percentage, or maxUnavailable, needs the
// scale of every controller the pods belong to.
func expect(pdb *policyv1.PodDisruptionBudget, pods []*corev1.Pod, scaleOf scaleFunc) (expectation, error) {
	var e expectation
	switch {
	case pdb.Spec.MaxUnavailable != nil:
		var err error
		if e.expected, e.unmanaged, err = expectedScale(pdb.Namespace, pods, scaleOf); err != nil {
			return e, err
		}
		maxUnavailable, err := intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MaxUnavailable, int(e.expected), true)
		if err != nil {
			return e, err
		}
		e.desired = max(e.expected-int32(maxUnavailable), 0)
	case pdb.Spec.MinAvailable != nil && pdb.Spec.MinAvailable.Type == intstr.Int:
		e.desired = pdb.Spec.MinAvailable.IntVal
		e.expected = int32(len(pods))
	case pdb.Spec.MinAvailable != nil:
		var err error
		if e.expected, e.unmanaged, err = expectedScale(pdb.Namespace, pods, scaleOf); err != nil {
			return e, err
		}
		minAvailable, err := intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MinAvailable, int(e.expected), true)
		if err != nil {
			return e, err
		}
		e.desired = int32(minAvailable)
	}
	return e, nil
}

// expectedScale sums the scales of the distinct controllers of pods.
func expectedScale(namespace string, pods []*corev1.Pod, scaleOf scaleFunc) (int32, []string, error) {
	scales := map[types.UID]int32{}
	var unmanaged []string
	for _, pod := range pods {
		ref := metav1.GetControllerOf(pod)
		if ref == nil {
			unmanaged = append(unmanaged, pod.Name)
			continue
		}
		if _, seen := scales[ref.UID]; seen {
			continue
		}
		n, found, err := scaleOf(namespace, ref)
		if err != nil {
			return 0, nil, err
		}
		if !found {
			return 0, nil, noControllerError{pod: pod.Name}
		}
		scales[ref.UID] = n
	}
	var total int32
	for _, n := range scales {
		total += n
	}
	return total, unmanaged, nil
}

// noControllerError: a pod's controller ref names nothing that has a
// scale.
type noControllerError struct{ pod string }

func (e noControllerError) Error() string {
	return fmt.Sprintf("found no controllers for pod %q", e.pod)
}

// disruptedPods is status.disruptedPods with what no longer belongs
// there dropped: pods gone or being deleted (the eviction took effect),
// and entries older than DeletionTimeout (it never did; those are
// returned as expired, for an event). recheck is when the earliest kept
// entry expires (zero: none).
func disruptedPods(pdb *policyv1.PodDisruptionBudget, pods []*corev1.Pod, now time.Time) (kept map[string]metav1.Time, expired []string, recheck time.Time) {
	if len(pdb.Status.DisruptedPods) == 0 {
		return nil, nil, time.Time{}
	}
	kept = map[string]metav1.Time{}
	for _, pod := range pods {
		if pod.DeletionTimestamp != nil {
			continue
		}
		at, ok := pdb.Status.DisruptedPods[pod.Name]
		if !ok {
			continue
		}
		deadline := at.Add(DeletionTimeout)
		if deadline.Before(now) {
			expired = append(expired, pod.Name)
			continue
		}
		kept[pod.Name] = at
		if recheck.IsZero() || deadline.Before(recheck) {
			recheck = deadline
		}
	}
	return kept, expired, recheck
}

// healthy counts the pods that are Ready, not being deleted and not just
// evicted.
func healthy(pods []*corev1.Pod, disrupted map[string]metav1.Time) int32 {
	var n int32
	for _, pod := range pods {
		if pod.DeletionTimestamp != nil {
			continue
		}
		if _, ok := disrupted[pod.Name]; ok {
			continue
		}
		if podReady(pod) {
			n++
		}
	}
	return n
}

func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// newStatus is the budget's status from the counts.
func newStatus(pdb *policyv1.PodDisruptionBudget, e expectation, currentHealthy int32, disrupted map[string]metav1.Time) policyv1.PodDisruptionBudgetStatus {
	allowed := currentHealthy - e.desired
	if e.expected <= 0 || allowed <= 0 {
		allowed = 0
	}
	st := policyv1.PodDisruptionBudgetStatus{
		ObservedGeneration: pdb.Generation,
		DisruptedPods:      disrupted,
		DisruptionsAllowed: allowed,
		CurrentHealthy:     currentHealthy,
		DesiredHealthy:     e.desired,
		ExpectedPods:       e.expected,
		Conditions:         copyConditions(pdb.Status.Conditions),
	}
	cond := metav1.Condition{Type: policyv1.DisruptionAllowedCondition, Status: metav1.ConditionFalse,
		Reason: policyv1.InsufficientPodsReason, ObservedGeneration: pdb.Generation}
	if allowed > 0 {
		cond.Status, cond.Reason = metav1.ConditionTrue, policyv1.SufficientPodsReason
	}
	meta.SetStatusCondition(&st.Conditions, cond)
	return st
}

// failSafe is the status when the counts cannot be known: no disruption
// allowed, said with the SyncFailed reason; the rest stays as it was.
func failSafe(pdb *policyv1.PodDisruptionBudget, err error) policyv1.PodDisruptionBudgetStatus {
	st := *pdb.Status.DeepCopy()
	st.ObservedGeneration = pdb.Generation
	st.DisruptionsAllowed = 0
	meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: policyv1.DisruptionAllowedCondition,
		Status: metav1.ConditionFalse, Reason: policyv1.SyncFailedReason, Message: err.Error(),
		ObservedGeneration: pdb.Generation})
	return st
}

func copyConditions(c []metav1.Condition) []metav1.Condition {
	if c == nil {
		return nil
	}
	out := make([]metav1.Condition, len(c))
	copy(out, c)
	return out
}
