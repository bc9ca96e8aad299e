package tainttoleration

import (
	"context"
	"testing"

	v1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
	st "github.com/hanok-dev/hanok/internal/scheduler/schedtest"
)

func TestFilter(t *testing.T) {
	noSched := v1.Taint{Key: "dedicated", Value: "gpu", Effect: v1.TaintEffectNoSchedule}
	noExec := v1.Taint{Key: "broken", Effect: v1.TaintEffectNoExecute}
	prefer := v1.Taint{Key: "soft", Value: "x", Effect: v1.TaintEffectPreferNoSchedule}
	tests := []struct {
		name   string
		tols   []v1.Toleration
		taints []v1.Taint
		reason string // "" means fits
	}{
		{"no taints", nil, nil, ""},
		{"untolerated NoSchedule", nil, []v1.Taint{noSched}, "node(s) had untolerated taint {dedicated: gpu}"},
		{"untolerated NoExecute", nil, []v1.Taint{noExec}, "node(s) had untolerated taint {broken: }"},
		{"PreferNoSchedule never filters", nil, []v1.Taint{prefer}, ""},
		{"tolerated with Equal", []v1.Toleration{{Key: "dedicated", Operator: v1.TolerationOpEqual, Value: "gpu", Effect: v1.TaintEffectNoSchedule}}, []v1.Taint{noSched}, ""},
		{"Equal with another value", []v1.Toleration{{Key: "dedicated", Operator: v1.TolerationOpEqual, Value: "cpu"}}, []v1.Taint{noSched}, "node(s) had untolerated taint {dedicated: gpu}"},
		{"Exists without effect tolerates all effects", []v1.Toleration{{Key: "dedicated", Operator: v1.TolerationOpExists}}, []v1.Taint{noSched}, ""},
		{"empty key Exists tolerates everything", []v1.Toleration{{Operator: v1.TolerationOpExists}}, []v1.Taint{noSched, noExec}, ""},
		{"wrong effect", []v1.Toleration{{Key: "dedicated", Operator: v1.TolerationOpExists, Effect: v1.TaintEffectNoExecute}}, []v1.Taint{noSched}, "node(s) had untolerated taint {dedicated: gpu}"},
		{"first untolerated is named", []v1.Toleration{{Key: "dedicated", Operator: v1.TolerationOpExists}}, []v1.Taint{noSched, noExec}, "node(s) had untolerated taint {broken: }"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Plugin{}.Filter(context.Background(), nil, st.Pod("p", st.Tolerations(tt.tols...)), st.Info(st.Node("n", st.Taints(tt.taints...))))
			if tt.reason == "" {
				if !got.IsSuccess() {
					t.Fatalf("rejected: %s", got.Message())
				}
				return
			}
			if got.Code() != framework.UnschedulableAndUnresolvable || got.Message() != tt.reason {
				t.Fatalf("got %v %q, want %q", got.Code(), got.Message(), tt.reason)
			}
		})
	}
}

func TestScore(t *testing.T) {
	soft := func(k string) v1.Taint { return v1.Taint{Key: k, Effect: v1.TaintEffectPreferNoSchedule} }
	nodes := []*v1.Node{
		st.Node("clean"),
		st.Node("one", st.Taints(soft("a"))),
		st.Node("two", st.Taints(soft("a"), soft("b"))),
		st.Node("hard", st.Taints(v1.Taint{Key: "h", Effect: v1.TaintEffectNoSchedule})),
	}
	tests := []struct {
		name string
		tols []v1.Toleration
		want []int64
	}{
		{"fewest untolerated wins", nil, []int64{100, 50, 0, 100}},
		{"tolerating a evens clean and one", []v1.Toleration{{Key: "a", Operator: v1.TolerationOpExists, Effect: v1.TaintEffectPreferNoSchedule}}, []int64{100, 100, 0, 100}},
		{"NoSchedule toleration does not count", []v1.Toleration{{Key: "a", Operator: v1.TolerationOpExists, Effect: v1.TaintEffectNoSchedule}}, []int64{100, 50, 0, 100}},
		{"tolerate all: everyone 100", []v1.Toleration{{Operator: v1.TolerationOpExists}}, []int64{100, 100, 100, 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := st.Pod("p", st.Tolerations(tt.tols...))
			state := framework.NewCycleState(nil)
			Plugin{}.PreScore(context.Background(), state, pod, nil)
			var scores []framework.NodeScore
			for _, n := range nodes {
				s, _ := Plugin{}.Score(context.Background(), state, pod, st.Info(n))
				scores = append(scores, framework.NodeScore{Name: n.Name, Score: s})
			}
			Plugin{}.NormalizeScore(context.Background(), state, pod, scores)
			for i, s := range scores {
				if s.Score != tt.want[i] {
					t.Fatalf("scores %v, want %v", scores, tt.want)
				}
			}
		})
	}
}
