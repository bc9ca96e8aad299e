package daemonset

import (
	"sort"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/hanok-dev/hanok/internal/controller/ownedpods"
)

// HashLabel is the label daemon pods carry their revision's hash in.
const HashLabel = appsv1.DefaultDaemonSetUniqueLabelKey

// Plan is what one sync does: nodes to start a pod on, pods to delete.
type Plan struct {
	Create []string
	Delete []*corev1.Pod
}

// nodeState is one node's view for a DaemonSet.
type nodeState struct {
	node       *corev1.Node
	run, may   bool
	alive      []*corev1.Pod // not being deleted, not finished
	newP, oldP *corev1.Pod   // after dedupe: the pod at the update revision, and an outdated one
}

func byCreation(pods []*corev1.Pod) {
	sort.SliceStable(pods, func(i, j int) bool {
		if !pods[i].CreationTimestamp.Equal(&pods[j].CreationTimestamp) {
			return pods[i].CreationTimestamp.Before(&pods[j].CreationTimestamp)
		}
		return pods[i].Name < pods[j].Name
	})
}

// Fenceposts are a rolling update's maxSurge and maxUnavailable in nodes
// (both rounded up, as upstream; one unavailable if both come to zero).
func Fenceposts(ds *appsv1.DaemonSet, desired int) (surge, unavailable int) {
	ru := ds.Spec.UpdateStrategy.RollingUpdate
	scale := func(v *intstr.IntOrString, def int) int {
		if v == nil {
			return def
		}
		n, err := intstr.GetScaledValueFromIntOrPercent(v, desired, true)
		if err != nil {
			return def
		}
		return n
	}
	if ru != nil {
		surge = scale(ru.MaxSurge, 0)
		unavailable = scale(ru.MaxUnavailable, 1)
	} else {
		unavailable = 1
	}
	if surge == 0 && unavailable == 0 {
		unavailable = 1
	}
	return surge, unavailable
}

// states sorts ds's pods by node and decides, per node, whether a pod
// belongs there, deleting what must go in every case: finished pods,
// pods on nodes that no longer qualify or no longer exist, duplicates.
func states(ds *appsv1.DaemonSet, nodes []*corev1.Node, pods []*corev1.Pod, update string, plan *Plan) []*nodeState {
	byNode := map[string][]*corev1.Pod{}
	for _, pod := range pods {
		byNode[TargetNode(pod)] = append(byNode[TargetNode(pod)], pod)
	}
	known := map[string]bool{}
	var out []*nodeState
	sorted := append([]*corev1.Node(nil), nodes...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	surge, _ := Fenceposts(ds, len(nodes))
	for _, node := range sorted {
		known[node.Name] = true
		s := &nodeState{node: node}
		s.run, s.may = Placement(&ds.Spec.Template, node)
		for _, pod := range byNode[node.Name] {
			switch {
			case pod.DeletionTimestamp != nil:
			case pod.Status.Phase == corev1.PodFailed || pod.Status.Phase == corev1.PodSucceeded:
				plan.Delete = append(plan.Delete, pod)
			case !s.may:
				plan.Delete = append(plan.Delete, pod)
			default:
				s.alive = append(s.alive, pod)
			}
		}
		byCreation(s.alive)
		// Keep the newest pod at the update revision and the oldest
		// outdated one (only alongside an updated one when surging).
		for _, pod := range s.alive {
			if pod.Labels[HashLabel] == update {
				if s.newP != nil {
					plan.Delete = append(plan.Delete, s.newP)
				}
				s.newP = pod
			} else if s.oldP == nil {
				s.oldP = pod
			} else {
				plan.Delete = append(plan.Delete, pod)
			}
		}
		if s.oldP != nil && s.newP != nil && surge == 0 && ds.Spec.UpdateStrategy.Type != appsv1.OnDeleteDaemonSetStrategyType {
			plan.Delete = append(plan.Delete, s.oldP)
			s.oldP = nil
		}
		if s.oldP != nil && s.newP != nil && ds.Spec.UpdateStrategy.Type == appsv1.OnDeleteDaemonSetStrategyType {
			plan.Delete = append(plan.Delete, s.oldP) // OnDelete: the one a user recreated wins
			s.oldP = nil
		}
		out = append(out, s)
	}
	for name, pods := range byNode {
		if known[name] {
			continue
		}
		for _, pod := range pods {
			if pod.DeletionTimestamp == nil {
				plan.Delete = append(plan.Delete, pod) // its node is gone (or it never had one)
			}
		}
	}
	return out
}

func (s *nodeState) available(minReady time.Duration, now time.Time) bool {
	for _, p := range []*corev1.Pod{s.newP, s.oldP} {
		if p != nil && ownedpods.IsAvailable(p, minReady, now) {
			return true
		}
	}
	return false
}

// NextPlan decides what to do with ds's pods on nodes now: start a pod
// wherever one belongs and none runs, then move a RollingUpdate on as far
// as maxUnavailable (delete outdated pods; unavailable ones first) or
// maxSurge (start the new pod beside the old, delete the old once the
// new is available) allow.
func NextPlan(ds *appsv1.DaemonSet, nodes []*corev1.Node, pods []*corev1.Pod, update string, now time.Time) Plan {
	var plan Plan
	sts := states(ds, nodes, pods, update, &plan)
	minReady := time.Duration(ds.Spec.MinReadySeconds) * time.Second
	desired := 0
	for _, s := range sts {
		if s.run {
			desired++
		}
		if s.run && s.newP == nil && s.oldP == nil {
			plan.Create = append(plan.Create, s.node.Name)
		}
	}
	if ds.Spec.UpdateStrategy.Type == appsv1.OnDeleteDaemonSetStrategyType {
		return plan
	}
	surge, maxUnavailable := Fenceposts(ds, desired)
	if surge == 0 {
		unavailable := 0
		for _, s := range sts {
			if s.run && !s.available(minReady, now) {
				unavailable++
			}
		}
		// Outdated pods that serve nothing go at once; available ones
		// within the budget.
		for _, s := range sts {
			if s.oldP != nil && s.newP == nil && !ownedpods.IsAvailable(s.oldP, minReady, now) {
				plan.Delete = append(plan.Delete, s.oldP)
			}
		}
		for _, s := range sts {
			if unavailable >= maxUnavailable {
				break
			}
			if s.oldP != nil && s.newP == nil && ownedpods.IsAvailable(s.oldP, minReady, now) {
				plan.Delete = append(plan.Delete, s.oldP)
				unavailable++
			}
		}
		return plan
	}
	surging := 0
	for _, s := range sts {
		if s.oldP != nil && s.newP != nil {
			surging++
			if ownedpods.IsAvailable(s.newP, minReady, now) {
				plan.Delete = append(plan.Delete, s.oldP)
			}
		}
	}
	for _, s := range sts {
		if s.oldP == nil || s.newP != nil || !s.run {
			continue
		}
		switch {
		case !ownedpods.IsAvailable(s.oldP, minReady, now):
			plan.Delete = append(plan.Delete, s.oldP)
		case surging < surge:
			plan.Create = append(plan.Create, s.node.Name)
			surging++
		}
	}
	return plan
}

// ComputeStatus is ds's status over nodes and its pods.
func ComputeStatus(ds *appsv1.DaemonSet, nodes []*corev1.Node, pods []*corev1.Pod, update string, now time.Time) appsv1.DaemonSetStatus {
	var scratch Plan
	st := appsv1.DaemonSetStatus{ObservedGeneration: ds.Generation, CollisionCount: ds.Status.CollisionCount, Conditions: ds.Status.Conditions}
	minReady := time.Duration(ds.Spec.MinReadySeconds) * time.Second
	for _, s := range states(ds, nodes, pods, update, &scratch) {
		has := s.newP != nil || s.oldP != nil
		switch {
		case s.run:
			st.DesiredNumberScheduled++
			if !has {
				continue
			}
			st.CurrentNumberScheduled++
			if (s.newP != nil && ownedpods.IsReady(s.newP)) || (s.oldP != nil && ownedpods.IsReady(s.oldP)) {
				st.NumberReady++
			}
			if s.available(minReady, now) {
				st.NumberAvailable++
			}
			if s.newP != nil {
				st.UpdatedNumberScheduled++
			}
		case has:
			st.NumberMisscheduled++
		}
	}
	st.NumberUnavailable = st.DesiredNumberScheduled - st.NumberAvailable
	return st
}
