package podtopologyspread

import (
	"context"
	"testing"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
	st "github.com/hanok-dev/hanok/internal/scheduler/schedtest"
)

func spread(maxSkew int32, key string, action v1.UnsatisfiableConstraintAction, minDomains *int32) func(*v1.Pod) {
	return func(p *v1.Pod) {
		p.Spec.TopologySpreadConstraints = append(p.Spec.TopologySpreadConstraints, v1.TopologySpreadConstraint{
			MaxSkew: maxSkew, TopologyKey: key, WhenUnsatisfiable: action, MinDomains: minDomains,
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
		})
	}
}

func web(name, node string) *v1.Pod { return st.Pod(name, st.Labels("app", "web"), st.On(node)) }

// zone a: n1, n2; zone b: n3; n4 has no zone.
func cluster(pods ...*v1.Pod) []*framework.NodeInfo {
	nodes := []*v1.Node{
		st.Node("n1", st.NodeLabels("zone", "a")), st.Node("n2", st.NodeLabels("zone", "a")),
		st.Node("n3", st.NodeLabels("zone", "b")), st.Node("n4"),
	}
	var out []*framework.NodeInfo
	for _, n := range nodes {
		var on []*v1.Pod
		for _, p := range pods {
			if p.Spec.NodeName == n.Name {
				on = append(on, p)
			}
		}
		out = append(out, st.Info(n, on...))
	}
	return out
}

func TestFilter(t *testing.T) {
	three := int32(3)
	tests := []struct {
		name   string
		pod    *v1.Pod
		placed []*v1.Pod
		fits   []string
	}{
		{"empty cluster: any node with the key", st.Pod("p", st.Labels("app", "web"), spread(1, "zone", v1.DoNotSchedule, nil)), nil, []string{"n1", "n2", "n3"}},
		{"zone a ahead by one: only b", st.Pod("p", st.Labels("app", "web"), spread(1, "zone", v1.DoNotSchedule, nil)),
			[]*v1.Pod{web("w1", "n1")}, []string{"n3"}},
		{"maxSkew 2 allows a", st.Pod("p", st.Labels("app", "web"), spread(2, "zone", v1.DoNotSchedule, nil)),
			[]*v1.Pod{web("w1", "n1")}, []string{"n1", "n2", "n3"}},
		{"pod not matching its own selector", st.Pod("p", st.Labels("app", "db"), spread(1, "zone", v1.DoNotSchedule, nil)),
			[]*v1.Pod{web("w1", "n1")}, []string{"n1", "n2", "n3"}},
		{"hostname spread", st.Pod("p", st.Labels("app", "web"), spread(1, v1.LabelHostname, v1.DoNotSchedule, nil)),
			[]*v1.Pod{web("w1", "n1"), web("w2", "n2"), web("w3", "n3")}, []string{"n4"}},
		{"other namespaces do not count", st.Pod("p", st.Labels("app", "web"), spread(1, "zone", v1.DoNotSchedule, nil)),
			[]*v1.Pod{st.Pod("w1", st.Labels("app", "web"), st.On("n1"), st.Namespace("other"))}, []string{"n1", "n2", "n3"}},
		{"minDomains above the domains: global min 0", st.Pod("p", st.Labels("app", "web"), spread(1, "zone", v1.DoNotSchedule, &three)),
			[]*v1.Pod{web("w1", "n1"), web("w2", "n3")}, nil},
		{"ScheduleAnyway does not filter", st.Pod("p", st.Labels("app", "web"), spread(1, "zone", v1.ScheduleAnyway, nil)),
			[]*v1.Pod{web("w1", "n1")}, []string{"n1", "n2", "n3", "n4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes := cluster(tt.placed...)
			state := framework.NewCycleState(framework.NewSnapshot(nodes))
			pl := &Plugin{}
			pre := pl.PreFilter(context.Background(), state, tt.pod)
			var fits []string
			for _, n := range nodes {
				if pre.IsSkip() || pl.Filter(context.Background(), state, tt.pod, n).IsSuccess() {
					fits = append(fits, n.Name())
				}
			}
			if len(fits) != len(tt.fits) {
				t.Fatalf("fits %v, want %v", fits, tt.fits)
			}
			for i := range fits {
				if fits[i] != tt.fits[i] {
					t.Fatalf("fits %v, want %v", fits, tt.fits)
				}
			}
		})
	}
	// The reason for a node without the key.
	nodes := cluster()
	state := framework.NewCycleState(framework.NewSnapshot(nodes))
	pod := st.Pod("p", spread(1, "zone", v1.DoNotSchedule, nil))
	(&Plugin{}).PreFilter(context.Background(), state, pod)
	if got := (&Plugin{}).Filter(context.Background(), state, pod, nodes[3]); got.Message() != ErrReasonNodeLabelNotMatch || got.Code() != framework.UnschedulableAndUnresolvable {
		t.Fatalf("missing label: %v %q", got.Code(), got.Message())
	}
}

func scores(t *testing.T, pl *Plugin, pod *v1.Pod, nodes []*framework.NodeInfo) map[string]int64 {
	t.Helper()
	state := framework.NewCycleState(framework.NewSnapshot(nodes))
	if s := pl.PreScore(context.Background(), state, pod, nodes); !s.IsSuccess() {
		t.Fatalf("PreScore: %v", s.Code())
	}
	var list []framework.NodeScore
	for _, n := range nodes {
		s, _ := pl.Score(context.Background(), state, pod, n)
		list = append(list, framework.NodeScore{Name: n.Name(), Score: s})
	}
	pl.NormalizeScore(context.Background(), state, pod, list)
	out := map[string]int64{}
	for _, s := range list {
		out[s.Name] = s.Score
	}
	return out
}

func TestScore(t *testing.T) {
	pod := st.Pod("p", st.Labels("app", "web"), spread(1, "zone", v1.ScheduleAnyway, nil))
	got := scores(t, &Plugin{}, pod, cluster(web("w1", "n1"), web("w2", "n2")))
	// Zone a has 2, zone b 0: b wins; n4 lacks the key and is ignored.
	if !(got["n3"] == 100 && got["n1"] < 100 && got["n1"] == got["n2"] && got["n4"] == 0) {
		t.Fatalf("scores %v", got)
	}
}

func TestSystemDefaultSpreading(t *testing.T) {
	sel := func(*v1.Pod) labels.Selector { return labels.SelectorFromSet(labels.Set{"app": "web"}) }
	pod := st.Pod("p", st.Labels("app", "web"))
	nodes := cluster(web("w1", "n1"), web("w2", "n1"), web("w3", "n2"))
	got := scores(t, &Plugin{DefaultSelector: sel}, pod, nodes)
	// Fewer siblings on the node and in the zone score higher; n4 (no
	// zone) is not ignored under system defaults.
	if !(got["n1"] < got["n2"] && got["n2"] < got["n3"] && got["n4"] > got["n1"]) {
		t.Fatalf("scores %v", got)
	}
	// No siblings selector: skipped.
	state := framework.NewCycleState(framework.NewSnapshot(nodes))
	if s := (&Plugin{}).PreScore(context.Background(), state, pod, nodes); !s.IsSkip() {
		t.Fatal("no default selector should skip")
	}
}
