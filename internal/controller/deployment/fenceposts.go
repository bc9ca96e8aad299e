package deployment

import (
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func replicas(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

// Fenceposts is a rolling Deployment's maxSurge and maxUnavailable in
// pods: surge rounds up, unavailability down, and if both come to zero
// one pod may be unavailable (else a rollout could never move). Recreate
// Deployments have neither.
func Fenceposts(d *appsv1.Deployment) (maxSurge, maxUnavailable int32) {
	if d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType || d.Spec.Strategy.RollingUpdate == nil {
		return 0, 0
	}
	desired := int(replicas(d.Spec.Replicas))
	ru := d.Spec.Strategy.RollingUpdate
	surge := scaled(ru.MaxSurge, desired, true)
	unavailable := scaled(ru.MaxUnavailable, desired, false)
	if surge == 0 && unavailable == 0 {
		unavailable = 1
	}
	if unavailable > desired {
		unavailable = desired
	}
	return int32(surge), int32(unavailable)
}

func scaled(v *intstr.IntOrString, total int, roundUp bool) int {
	def := intstr.FromString("25%")
	if v == nil {
		v = &def
	}
	n, err := intstr.GetScaledValueFromIntOrPercent(v, total, roundUp)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// MaxUnavailable is the Deployment's maxUnavailable in pods (0 when it has
// no replicas or is not rolling).
func MaxUnavailable(d *appsv1.Deployment) int32 {
	if replicas(d.Spec.Replicas) == 0 {
		return 0
	}
	_, u := Fenceposts(d)
	return u
}

// MaxSurge is the Deployment's maxSurge in pods (0 unless rolling).
func MaxSurge(d *appsv1.Deployment) int32 {
	s, _ := Fenceposts(d)
	return s
}
