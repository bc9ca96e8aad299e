package nodeaffinity

import (
	"context"
	"testing"

	v1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
	st "github.com/hanok-dev/hanok/internal/scheduler/schedtest"
)

func req(key string, op v1.NodeSelectorOperator, values ...string) v1.NodeSelectorRequirement {
	return v1.NodeSelectorRequirement{Key: key, Operator: op, Values: values}
}

func required(terms ...v1.NodeSelectorTerm) *v1.Affinity {
	return &v1.Affinity{NodeAffinity: &v1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &v1.NodeSelector{NodeSelectorTerms: terms}}}
}

func TestFilter(t *testing.T) {
	node := st.Node("n1", st.NodeLabels("zone", "a", "disk", "ssd", "cores", "8"))
	selector := func(kv ...string) func(*v1.Pod) { return func(p *v1.Pod) { p.Spec.NodeSelector = st.Map(kv...) } }
	tests := []struct {
		name string
		pod  *v1.Pod
		want bool
	}{
		{"nothing required", st.Pod("p"), true},
		{"node selector matches", st.Pod("p", selector("zone", "a")), true},
		{"node selector mismatch", st.Pod("p", selector("zone", "b")), false},
		{"node selector needs every label", st.Pod("p", selector("zone", "a", "gpu", "yes")), false},
		{"In", st.Pod("p", st.Affinity(required(v1.NodeSelectorTerm{MatchExpressions: []v1.NodeSelectorRequirement{req("zone", v1.NodeSelectorOpIn, "a", "b")}}))), true},
		{"NotIn", st.Pod("p", st.Affinity(required(v1.NodeSelectorTerm{MatchExpressions: []v1.NodeSelectorRequirement{req("zone", v1.NodeSelectorOpNotIn, "a")}}))), false},
		{"DoesNotExist", st.Pod("p", st.Affinity(required(v1.NodeSelectorTerm{MatchExpressions: []v1.NodeSelectorRequirement{req("gpu", v1.NodeSelectorOpDoesNotExist)}}))), true},
		{"Gt", st.Pod("p", st.Affinity(required(v1.NodeSelectorTerm{MatchExpressions: []v1.NodeSelectorRequirement{req("cores", v1.NodeSelectorOpGt, "4")}}))), true},
		{"expressions in a term are ANDed", st.Pod("p", st.Affinity(required(v1.NodeSelectorTerm{MatchExpressions: []v1.NodeSelectorRequirement{
			req("zone", v1.NodeSelectorOpIn, "a"), req("disk", v1.NodeSelectorOpIn, "hdd")}}))), false},
		{"terms are ORed", st.Pod("p", st.Affinity(required(
			v1.NodeSelectorTerm{MatchExpressions: []v1.NodeSelectorRequirement{req("zone", v1.NodeSelectorOpIn, "b")}},
			v1.NodeSelectorTerm{MatchExpressions: []v1.NodeSelectorRequirement{req("disk", v1.NodeSelectorOpIn, "ssd")}}))), true},
		{"empty term matches nothing", st.Pod("p", st.Affinity(required(v1.NodeSelectorTerm{}))), false},
		{"matchFields metadata.name", st.Pod("p", st.Affinity(required(v1.NodeSelectorTerm{MatchFields: []v1.NodeSelectorRequirement{req("metadata.name", v1.NodeSelectorOpIn, "n1")}}))), true},
		{"selector and affinity both needed", st.Pod("p", selector("zone", "b"), st.Affinity(required(v1.NodeSelectorTerm{MatchExpressions: []v1.NodeSelectorRequirement{req("disk", v1.NodeSelectorOpIn, "ssd")}}))), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := framework.NewCycleState(nil)
			if s := (Plugin{}).PreFilter(context.Background(), state, tt.pod); s.IsSkip() {
				if !tt.want {
					t.Fatal("skipped a pod with requirements")
				}
				return
			}
			got := Plugin{}.Filter(context.Background(), state, tt.pod, st.Info(node))
			if got.IsSuccess() != tt.want {
				t.Fatalf("fits %v, want %v (%s)", got.IsSuccess(), tt.want, got.Message())
			}
			if !tt.want && got.Message() != ErrReasonPod {
				t.Fatalf("reason %q", got.Message())
			}
		})
	}
}

func TestScore(t *testing.T) {
	pref := func(w int32, key, value string) v1.PreferredSchedulingTerm {
		return v1.PreferredSchedulingTerm{Weight: w, Preference: v1.NodeSelectorTerm{MatchExpressions: []v1.NodeSelectorRequirement{req(key, v1.NodeSelectorOpIn, value)}}}
	}
	pod := st.Pod("p", st.Affinity(&v1.Affinity{NodeAffinity: &v1.NodeAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []v1.PreferredSchedulingTerm{
		pref(2, "zone", "a"), pref(6, "disk", "ssd")}}}))
	nodes := []*v1.Node{
		st.Node("both", st.NodeLabels("zone", "a", "disk", "ssd")),
		st.Node("ssd", st.NodeLabels("disk", "ssd")),
		st.Node("zone", st.NodeLabels("zone", "a")),
		st.Node("none"),
	}
	want := []int64{100, 75, 25, 0}
	state := framework.NewCycleState(nil)
	if s := (Plugin{}).PreScore(context.Background(), state, pod, nil); !s.IsSuccess() {
		t.Fatal(s.Message())
	}
	var scores []framework.NodeScore
	for _, n := range nodes {
		s, _ := Plugin{}.Score(context.Background(), state, pod, st.Info(n))
		scores = append(scores, framework.NodeScore{Name: n.Name, Score: s})
	}
	Plugin{}.NormalizeScore(context.Background(), state, pod, scores)
	for i := range want {
		if scores[i].Score != want[i] {
			t.Fatalf("scores %v, want %v", scores, want)
		}
	}
	if s := (Plugin{}).PreScore(context.Background(), framework.NewCycleState(nil), st.Pod("q"), nil); !s.IsSkip() {
		t.Fatal("a pod without preferences should skip")
	}
}
