package ownedpods

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

func TestPodsToDelete(t *testing.T) {
	cases := []struct {
		name string
		pods []*corev1.Pod
		n    int
		want []string
	}{
		{"unscheduled first", []*corev1.Pod{mkPod("a", onNode, running), mkPod("b")}, 1, []string{"b"}},
		{"pending before running", []*corev1.Pod{mkPod("a", onNode, running), mkPod("b", onNode)}, 1, []string{"b"}},
		{"not ready before ready", []*corev1.Pod{mkPod("a", onNode, running, readySince(t0)), mkPod("b", onNode, running)}, 1, []string{"b"}},
		{"lower deletion cost first", []*corev1.Pod{mkPod("a", onNode, running, cost("5")), mkPod("b", onNode, running, cost("-1"))}, 1, []string{"b"}},
		{"ready more recently first", []*corev1.Pod{mkPod("a", onNode, running, readySince(t0)), mkPod("b", onNode, running, readySince(t0.Add(time.Minute)))}, 1, []string{"b"}},
		{"newer first", []*corev1.Pod{mkPod("a"), mkPod("b", created(t0.Add(time.Second)))}, 1, []string{"b"}},
		{"all when n covers them", []*corev1.Pod{mkPod("a"), mkPod("b")}, 3, []string{"a", "b"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := names(PodsToDelete(c.pods, c.n))
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			}
		})
	}
}
