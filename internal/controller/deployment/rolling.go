package deployment

import (
	appsv1 "k8s.io/api/apps/v1"
)

// specReplicas is the sum of sets' spec.replicas.
func specReplicas(sets []*appsv1.ReplicaSet) int32 {
	var n int32
	for _, rs := range sets {
		if rs != nil {
			n += replicas(rs.Spec.Replicas)
		}
	}
	return n
}

// occupied is the pods sets take or may still take: each set's
// spec.replicas, or its status.replicas while a scale-down has not yet
// deleted the pods (so a surge never overlaps pods not yet gone).
func occupied(sets []*appsv1.ReplicaSet) int32 {
	var n int32
	for _, rs := range sets {
		if rs != nil {
			n += max(replicas(rs.Spec.Replicas), rs.Status.Replicas)
		}
	}
	return n
}

// availableReplicas is the sum of sets' status.availableReplicas.
func availableReplicas(sets []*appsv1.ReplicaSet) int32 {
	var n int32
	for _, rs := range sets {
		if rs != nil {
			n += rs.Status.AvailableReplicas
		}
	}
	return n
}

// NewRSReplicas is how many replicas the new ReplicaSet should have now:
// for Recreate all of them; for a rolling update as many more as maxSurge
// leaves room for above the Deployment's replicas, counting every set's
// pods, wanted or not yet deleted (see occupied).
func NewRSReplicas(d *appsv1.Deployment, all []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) int32 {
	want := replicas(d.Spec.Replicas)
	if d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType {
		return want
	}
	current := replicas(newRS.Spec.Replicas)
	if current >= want {
		return want
	}
	room := want + MaxSurge(d) - occupied(all)
	if room <= 0 {
		return current
	}
	return current + min(room, want-current)
}

// OldScaleDown is how a rolling update scales its old ReplicaSets down
// now: a map from set name to its new replicas, for the sets that change.
// First old pods that are not available go, as far as the budget allows
// (they serve nothing, and a stuck old set must not block the rollout);
// then available old pods, only down to maxUnavailable below the
// Deployment's replicas. The budget counts the new set's unavailable pods
// as already unavailable.
func OldScaleDown(d *appsv1.Deployment, newRS *appsv1.ReplicaSet, old []*appsv1.ReplicaSet) map[string]int32 {
	if specReplicas(old) == 0 {
		return nil
	}
	sets := make([]*appsv1.ReplicaSet, len(old))
	for i, rs := range old {
		sets[i] = rs.DeepCopy()
	}
	byCreation(sets)
	all := append([]*appsv1.ReplicaSet{newRS}, sets...)
	minAvailable := replicas(d.Spec.Replicas) - MaxUnavailable(d)
	var newUnavailable int32
	if newRS != nil {
		newUnavailable = max(replicas(newRS.Spec.Replicas)-newRS.Status.AvailableReplicas, 0)
	}
	budget := specReplicas(all) - minAvailable - newUnavailable
	if budget <= 0 {
		return nil
	}
	out := map[string]int32{}

	// Unhealthy old pods first.
	var cleaned int32
	for _, rs := range sets {
		if cleaned >= budget {
			break
		}
		n := replicas(rs.Spec.Replicas)
		unhealthy := n - rs.Status.AvailableReplicas
		if n == 0 || unhealthy <= 0 {
			continue
		}
		down := min(budget-cleaned, unhealthy)
		n -= down
		rs.Spec.Replicas = &n
		out[rs.Name] = n
		cleaned += down
	}

	// Then available ones, keeping minAvailable.
	avail := availableReplicas(all)
	if avail <= minAvailable {
		return out
	}
	total := avail - minAvailable
	var done int32
	for _, rs := range sets {
		if done >= total {
			break
		}
		n := replicas(rs.Spec.Replicas)
		if n == 0 {
			continue
		}
		down := min(n, total-done)
		n -= down
		out[rs.Name] = n
		done += down
	}
	return out
}
