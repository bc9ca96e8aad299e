package ownedpods

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestPodState(t *testing.T) {
	now := metav1.Now()
	notReady := func(p *corev1.Pod) {
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse}}
	}
	cases := []struct {
		name           string
		pod            *corev1.Pod
		active, ready  bool
		available      bool // with minReady 10s at t0
		untilAvailable time.Duration
	}{
		{"pending, no conditions", mkPod("p"), true, false, false, 0},
		{"running, Ready False", mkPod("p", running, notReady), true, false, false, 0},
		{"ready long enough", mkPod("p", running, readySince(t0.Add(-time.Minute))), true, true, true, 0},
		{"ready exactly minReady", mkPod("p", running, readySince(t0.Add(-10*time.Second))), true, true, true, 0},
		{"ready too recently", mkPod("p", running, readySince(t0.Add(-3*time.Second))), true, true, false, 7 * time.Second},
		{"succeeded", mkPod("p", func(p *corev1.Pod) { p.Status.Phase = corev1.PodSucceeded }), false, false, false, 0},
		{"failed", mkPod("p", func(p *corev1.Pod) { p.Status.Phase = corev1.PodFailed }), false, false, false, 0},
		{"being deleted", mkPod("p", running, func(p *corev1.Pod) { p.DeletionTimestamp = &now }), false, false, false, 0},
	}
	for _, c := range cases {
		if got := IsActive(c.pod); got != c.active {
			t.Errorf("%s: IsActive %v, want %v", c.name, got, c.active)
		}
		if got := IsReady(c.pod); got != c.ready {
			t.Errorf("%s: IsReady %v, want %v", c.name, got, c.ready)
		}
		if got := IsAvailable(c.pod, 10*time.Second, t0); got != c.available {
			t.Errorf("%s: IsAvailable %v, want %v", c.name, got, c.available)
		}
		if got := UntilAvailable(c.pod, 10*time.Second, t0); got != c.untilAvailable {
			t.Errorf("%s: UntilAvailable %v, want %v", c.name, got, c.untilAvailable)
		}
	}
	if ready := mkPod("p", readySince(t0)); !IsAvailable(ready, 0, t0) || UntilAvailable(ready, 0, t0) != 0 {
		t.Error("with no minReady a Ready pod is available at once")
	}
}

func TestNextAvailableCheck(t *testing.T) {
	cases := []struct {
		name string
		pods []*corev1.Pod
		want time.Duration
	}{
		{"none waiting", []*corev1.Pod{mkPod("a"), mkPod("b", readySince(t0.Add(-time.Minute)))}, 0},
		{"the soonest of those waiting", []*corev1.Pod{
			mkPod("a", readySince(t0.Add(-2*time.Second))),
			mkPod("b", readySince(t0.Add(-5*time.Second))),
			mkPod("c", readySince(t0.Add(-time.Minute))),
			mkPod("d"),
		}, 5 * time.Second},
	}
	for _, c := range cases {
		if got := NextAvailableCheck(c.pods, 10*time.Second, t0); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
