package disruption

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// templateLabels are the labels a workload gives its pods, which budgets
// select.
func templateLabels(obj any) map[string]string {
	switch o := obj.(type) {
	case *appsv1.ReplicaSet:
		return o.Spec.Template.Labels
	case *appsv1.Deployment:
		return o.Spec.Template.Labels
	case *appsv1.StatefulSet:
		return o.Spec.Template.Labels
	case *corev1.ReplicationController:
		if o.Spec.Template != nil {
			return o.Spec.Template.Labels
		}
	}
	return nil
}

// specReplicas is a workload's spec.replicas (-1: unset or not a workload).
func specReplicas(obj any) int32 {
	var r *int32
	switch o := obj.(type) {
	case *appsv1.ReplicaSet:
		r = o.Spec.Replicas
	case *appsv1.Deployment:
		r = o.Spec.Replicas
	case *appsv1.StatefulSet:
		r = o.Spec.Replicas
	case *corev1.ReplicationController:
		r = o.Spec.Replicas
	}
	if r == nil {
		return -1
	}
	return *r
}
