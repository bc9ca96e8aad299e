package statefulset

import (
	"sort"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/hanok-dev/hanok/internal/controller/ownedpods"
)

// Creation is a pod to create: its ordinal and the revision it runs.
type Creation struct {
	Ordinal  int
	Revision string
}

// Step is what one sync does to a set's pods.
type Step struct {
	Create []Creation
	Delete []*corev1.Pod
}

// Healthy says whether pod counts as up: running, Ready for minReady,
// not being deleted.
func Healthy(pod *corev1.Pod, minReady time.Duration, now time.Time) bool {
	return pod.DeletionTimestamp == nil && pod.Status.Phase == corev1.PodRunning && ownedpods.IsAvailable(pod, minReady, now)
}

func terminal(pod *corev1.Pod) bool {
	return pod.Status.Phase == corev1.PodFailed || pod.Status.Phase == corev1.PodSucceeded
}

func partitionOf(set *appsv1.StatefulSet) int {
	if ru := set.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.Partition != nil {
		return int(*ru.Partition)
	}
	return 0
}

func maxUnavailable(set *appsv1.StatefulSet) int {
	replicas := 1
	if set.Spec.Replicas != nil {
		replicas = int(*set.Spec.Replicas)
	}
	n := 1
	if ru := set.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.MaxUnavailable != nil {
		if v, err := intstr.GetScaledValueFromIntOrPercent(ru.MaxUnavailable, replicas, false); err == nil {
			n = v
		}
	}
	return max(n, 1)
}

// revisionFor is the revision a new pod with ordinal runs: below the
// partition of a rolling update the current one, else the update one.
func revisionFor(set *appsv1.StatefulSet, ordinal int, current, update string) string {
	start, _ := Range(set)
	if set.Spec.UpdateStrategy.Type != appsv1.OnDeleteStatefulSetStrategyType && ordinal-start < partitionOf(set) {
		return current
	}
	return update
}

// NextStep decides what to do with set's pods now. OrderedReady sets
// move one pod at a time: create the lowest missing ordinal only when
// every lower one is healthy, remove the highest surplus ordinal only
// when every other pod is healthy. Parallel sets create and remove all at
// once. Then a RollingUpdate deletes outdated pods at or above the
// partition, highest ordinal first, while fewer than maxUnavailable pods
// are down; they come back at the update revision. Finished pods are
// deleted to be recreated.
func NextStep(set *appsv1.StatefulSet, pods []*corev1.Pod, current, update string, now time.Time) Step {
	var step Step
	monotonic := set.Spec.PodManagementPolicy != appsv1.ParallelPodManagement
	minReady := time.Duration(set.Spec.MinReadySeconds) * time.Second
	start, end := Range(set)
	byOrdinal := map[int]*corev1.Pod{}
	var condemned []*corev1.Pod
	for _, pod := range pods {
		switch ord := Ordinal(set, pod); {
		case ord < 0:
		case ord < start || ord >= end:
			condemned = append(condemned, pod)
		default:
			byOrdinal[ord] = pod
		}
	}
	sort.Slice(condemned, func(i, j int) bool { return Ordinal(set, condemned[i]) > Ordinal(set, condemned[j]) })

	allHealthy := true
	for ord := start; ord < end; ord++ {
		pod := byOrdinal[ord]
		switch {
		case pod == nil:
			step.Create = append(step.Create, Creation{ord, revisionFor(set, ord, current, update)})
		case terminal(pod) && pod.DeletionTimestamp == nil:
			step.Delete = append(step.Delete, pod)
		case Healthy(pod, minReady, now):
			continue
		}
		allHealthy = false
		if monotonic {
			return step
		}
	}

	for i, pod := range condemned {
		if pod.DeletionTimestamp != nil {
			if monotonic {
				return step
			}
			continue
		}
		if monotonic {
			// Only the first unhealthy pod, or any when all are healthy,
			// may go.
			othersHealthy := allHealthy
			for j, other := range condemned {
				if j != i && !Healthy(other, minReady, now) {
					othersHealthy = false
				}
			}
			if !othersHealthy {
				return step
			}
		}
		step.Delete = append(step.Delete, pod)
		if monotonic {
			return step
		}
	}

	if set.Spec.UpdateStrategy.Type == appsv1.OnDeleteStatefulSetStrategyType || len(step.Create) > 0 {
		return step
	}
	unavailable := 0
	for ord := start; ord < end; ord++ {
		if pod := byOrdinal[ord]; pod == nil || !Healthy(pod, minReady, now) || containsPod(step.Delete, pod) {
			unavailable++
		}
	}
	budget := maxUnavailable(set) - unavailable
	for ord := end - 1; ord >= start+partitionOf(set) && budget > 0; ord-- {
		pod := byOrdinal[ord]
		if pod == nil || pod.DeletionTimestamp != nil || pod.Labels[RevisionLabel] == update || containsPod(step.Delete, pod) {
			continue
		}
		step.Delete = append(step.Delete, pod)
		budget--
	}
	return step
}

func containsPod(pods []*corev1.Pod, p *corev1.Pod) bool {
	for _, q := range pods {
		if q == p {
			return true
		}
	}
	return false
}

// ComputeStatus is set's status from its pods and revisions.
func ComputeStatus(set *appsv1.StatefulSet, pods []*corev1.Pod, current, update string, now time.Time) appsv1.StatefulSetStatus {
	st := appsv1.StatefulSetStatus{
		ObservedGeneration: set.Generation,
		CurrentRevision:    current,
		UpdateRevision:     update,
		CollisionCount:     set.Status.CollisionCount,
		Conditions:         set.Status.Conditions,
	}
	minReady := time.Duration(set.Spec.MinReadySeconds) * time.Second
	for _, pod := range pods {
		if Ordinal(set, pod) < 0 {
			continue
		}
		st.Replicas++
		if pod.Status.Phase == corev1.PodRunning && ownedpods.IsReady(pod) && pod.DeletionTimestamp == nil {
			st.ReadyReplicas++
			if ownedpods.IsAvailable(pod, minReady, now) {
				st.AvailableReplicas++
			}
		}
		if pod.DeletionTimestamp == nil {
			if pod.Labels[RevisionLabel] == current {
				st.CurrentReplicas++
			}
			if pod.Labels[RevisionLabel] == update {
				st.UpdatedReplicas++
			}
		}
	}
	if set.Spec.UpdateStrategy.Type != appsv1.OnDeleteStatefulSetStrategyType &&
		st.UpdatedReplicas == st.Replicas && st.ReadyReplicas == st.Replicas {
		st.CurrentRevision = update
		st.CurrentReplicas = st.UpdatedReplicas
	}
	return st
}
