package replicaset

import (
	"errors"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func mkPod(name string, opts ...func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", Labels: map[string]string{"app": "a"},
		CreationTimestamp: metav1.NewTime(t0)}}
	for _, o := range opts {
		o(p)
	}
	return p
}

func readySince(at time.Time) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(at)})
	}
}

func TestCalculateStatus(t *testing.T) {
	three := int32(3)
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "rs", Generation: 4},
		Spec: appsv1.ReplicaSetSpec{Replicas: &three, MinReadySeconds: 10,
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "a", "tier": "web"}}}}}
	pods := []*corev1.Pod{
		mkPod("full-available", func(p *corev1.Pod) { p.Labels["tier"] = "web" }, readySince(t0.Add(-time.Minute))),
		mkPod("ready-not-available", readySince(t0.Add(-5*time.Second))),
		mkPod("not-ready"),
	}
	st := CalculateStatus(rs, pods, nil, t0)
	want := appsv1.ReplicaSetStatus{Replicas: 3, FullyLabeledReplicas: 1, ReadyReplicas: 2, AvailableReplicas: 1, ObservedGeneration: 4}
	if st.Replicas != want.Replicas || st.FullyLabeledReplicas != want.FullyLabeledReplicas || st.ReadyReplicas != want.ReadyReplicas ||
		st.AvailableReplicas != want.AvailableReplicas || st.ObservedGeneration != want.ObservedGeneration || len(st.Conditions) != 0 {
		t.Fatalf("got %+v, want %+v", st, want)
	}

	failed := CalculateStatus(rs, pods[:1], errors.New("quota"), t0)
	if len(failed.Conditions) != 1 || failed.Conditions[0].Reason != "FailedCreate" {
		t.Fatalf("want a FailedCreate ReplicaFailure condition, got %+v", failed.Conditions)
	}
	rs.Status = failed
	if healed := CalculateStatus(rs, pods, nil, t0); len(healed.Conditions) != 0 {
		t.Fatalf("condition must go once creates succeed: %+v", healed.Conditions)
	}
}
