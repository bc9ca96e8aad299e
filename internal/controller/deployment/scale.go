package deployment

import (
	"math"
	"sort"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
)

// activeOrLatest is the one set to scale when the Deployment is resized
// with at most one active set: that set, or with none the new set or else
// the newest old one. nil when several sets are active.
func activeOrLatest(newRS *appsv1.ReplicaSet, old []*appsv1.ReplicaSet) *appsv1.ReplicaSet {
	var active []*appsv1.ReplicaSet
	for _, rs := range append([]*appsv1.ReplicaSet{newRS}, old...) {
		if rs != nil && replicas(rs.Spec.Replicas) > 0 {
			active = append(active, rs)
		}
	}
	switch len(active) {
	case 0:
		if newRS != nil {
			return newRS
		}
		if len(old) == 0 {
			return nil
		}
		sorted := append([]*appsv1.ReplicaSet(nil), old...)
		byCreation(sorted)
		return sorted[len(sorted)-1]
	case 1:
		return active[0]
	}
	return nil
}

// saturated says whether newRS alone runs all of d: every replica
// wanted, annotated for the current size and available.
func saturated(d *appsv1.Deployment, newRS *appsv1.ReplicaSet) bool {
	if newRS == nil {
		return false
	}
	want := replicas(d.Spec.Replicas)
	desired, err := strconv.Atoi(newRS.Annotations[DesiredReplicasAnnotation])
	return err == nil && replicas(newRS.Spec.Replicas) == want && int32(desired) == want && newRS.Status.AvailableReplicas == want
}

// IsScalingEvent says whether d was resized since its active sets were
// last annotated with its size.
func IsScalingEvent(d *appsv1.Deployment, sets []*appsv1.ReplicaSet) bool {
	for _, rs := range sets {
		if rs == nil || replicas(rs.Spec.Replicas) == 0 {
			continue
		}
		desired, err := strconv.Atoi(rs.Annotations[DesiredReplicasAnnotation])
		if err != nil {
			continue
		}
		if int32(desired) != replicas(d.Spec.Replicas) {
			return true
		}
	}
	return false
}

// ScalePlan is how a resize of d spreads over its sets: set name to new
// replicas, for every set that is to change (or needs its replica
// annotations refreshed: all listed sets are annotated).
//
// With one active set, that set takes the new size. With the new set
// saturated, the old ones go to zero. Mid-rollout (several active sets)
// the change is shared in proportion to each set's share of the size it
// was last annotated with (max-replicas), the rounding rest going to the
// biggest set on growth and the smallest on shrink, so a resize
// mid-rollout keeps the rollout's proportions.
func ScalePlan(d *appsv1.Deployment, newRS *appsv1.ReplicaSet, old []*appsv1.ReplicaSet) map[string]int32 {
	want := replicas(d.Spec.Replicas)
	if rs := activeOrLatest(newRS, old); rs != nil {
		return map[string]int32{rs.Name: want}
	}
	if saturated(d, newRS) {
		out := map[string]int32{}
		for _, rs := range old {
			if replicas(rs.Spec.Replicas) != 0 {
				out[rs.Name] = 0
			}
		}
		return out
	}
	if d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType {
		return nil
	}
	var active []*appsv1.ReplicaSet
	for _, rs := range append([]*appsv1.ReplicaSet{newRS}, old...) {
		if rs != nil && replicas(rs.Spec.Replicas) > 0 {
			active = append(active, rs)
		}
	}
	allowed := want + MaxSurge(d)
	toAdd := allowed - specReplicas(active)
	growing := toAdd > 0
	sort.SliceStable(active, func(i, j int) bool {
		ri, rj := replicas(active[i].Spec.Replicas), replicas(active[j].Spec.Replicas)
		if ri != rj {
			if growing {
				return ri > rj
			}
			return ri < rj
		}
		// Newer first on growth, older first on shrink.
		if growing {
			return active[j].CreationTimestamp.Before(&active[i].CreationTimestamp)
		}
		return active[i].CreationTimestamp.Before(&active[j].CreationTimestamp)
	})
	out := map[string]int32{}
	var added int32
	for _, rs := range active {
		share := proportion(d, rs, toAdd, added)
		out[rs.Name] = replicas(rs.Spec.Replicas) + share
		added += share
	}
	if rest := toAdd - added; rest != 0 && len(active) > 0 {
		first := active[0].Name
		out[first] = max(out[first]+rest, 0)
	}
	for name, n := range out {
		out[name] = max(n, 0)
	}
	return out
}

// proportion is rs's part of toAdd (which may be negative) given what the
// sets before it already took.
func proportion(d *appsv1.Deployment, rs *appsv1.ReplicaSet, toAdd, added int32) int32 {
	if toAdd == 0 {
		return 0
	}
	n := replicas(rs.Spec.Replicas)
	var fraction int32
	if replicas(d.Spec.Replicas) == 0 {
		fraction = -n
	} else {
		total := replicas(d.Spec.Replicas) + MaxSurge(d)
		annotated, err := strconv.Atoi(rs.Annotations[MaxReplicasAnnotation])
		if err != nil || annotated == 0 {
			annotated = int(d.Status.Replicas)
		}
		if annotated == 0 {
			return 0
		}
		size := int32(math.Round(float64(n) * float64(total) / float64(annotated)))
		fraction = size - n
	}
	left := toAdd - added
	if toAdd > 0 {
		return max(min(fraction, left), 0)
	}
	return min(max(fraction, left), 0)
}
