package interpodaffinity

import (
	"context"
	"testing"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
	st "github.com/hanok-dev/hanok/internal/scheduler/schedtest"
)

const zone = "zone"

func term(key, app string) v1.PodAffinityTerm {
	return v1.PodAffinityTerm{TopologyKey: key, LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}}
}

func affinity(terms ...v1.PodAffinityTerm) func(*v1.Pod) {
	return st.Affinity(&v1.Affinity{PodAffinity: &v1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: terms}})
}

func antiAffinity(terms ...v1.PodAffinityTerm) func(*v1.Pod) {
	return st.Affinity(&v1.Affinity{PodAntiAffinity: &v1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: terms}})
}

// cluster: zone a has n1, n2; zone b has n3; n4 has no zone label.
func cluster(pods ...*v1.Pod) []*framework.NodeInfo {
	nodes := []*v1.Node{
		st.Node("n1", st.NodeLabels(zone, "a")), st.Node("n2", st.NodeLabels(zone, "a")),
		st.Node("n3", st.NodeLabels(zone, "b")), st.Node("n4"),
	}
	var infos []*framework.NodeInfo
	for _, n := range nodes {
		var on []*v1.Pod
		for _, p := range pods {
			if p.Spec.NodeName == n.Name {
				on = append(on, p)
			}
		}
		infos = append(infos, st.Info(n, on...))
	}
	return infos
}

func TestFilter(t *testing.T) {
	db := func(node string) *v1.Pod { return st.Pod("db-"+node, st.Labels("app", "db"), st.On(node)) }
	tests := []struct {
		name    string
		pod     *v1.Pod
		placed  []*v1.Pod
		reasons map[string]string // node -> reason; absent means fits
	}{
		{"no terms", st.Pod("p"), []*v1.Pod{db("n1")}, nil},
		{"affinity to a zone with db", st.Pod("p", affinity(term(zone, "db"))), []*v1.Pod{db("n1")},
			map[string]string{"n3": ErrReasonAffinityRulesNotMatch, "n4": ErrReasonAffinityRulesNotMatch}},
		{"affinity with no match and not self-matching", st.Pod("p", affinity(term(zone, "db"))), nil,
			map[string]string{"n1": ErrReasonAffinityRulesNotMatch, "n2": ErrReasonAffinityRulesNotMatch, "n3": ErrReasonAffinityRulesNotMatch, "n4": ErrReasonAffinityRulesNotMatch}},
		{"first pod of a self-affine group goes where the key exists", st.Pod("p", st.Labels("app", "db"), affinity(term(zone, "db"))), nil,
			map[string]string{"n4": ErrReasonAffinityRulesNotMatch}},
		{"affinity in another namespace does not count", st.Pod("p", affinity(term(zone, "db"))),
			[]*v1.Pod{st.Pod("db", st.Labels("app", "db"), st.On("n1"), st.Namespace("other"))},
			map[string]string{"n1": ErrReasonAffinityRulesNotMatch, "n2": ErrReasonAffinityRulesNotMatch, "n3": ErrReasonAffinityRulesNotMatch, "n4": ErrReasonAffinityRulesNotMatch}},
		{"anti-affinity by zone", st.Pod("p", antiAffinity(term(zone, "db"))), []*v1.Pod{db("n1")},
			map[string]string{"n1": ErrReasonAntiAffinityRulesNotMatch, "n2": ErrReasonAntiAffinityRulesNotMatch}},
		{"anti-affinity by hostname", st.Pod("p", antiAffinity(term(v1.LabelHostname, "db"))), []*v1.Pod{db("n1")},
			map[string]string{"n1": ErrReasonAntiAffinityRulesNotMatch}},
		{"node without the key passes anti-affinity", st.Pod("p", antiAffinity(term(zone, "db"))), []*v1.Pod{db("n4")}, nil},
		{"existing pod's anti-affinity keeps us out", st.Pod("p", st.Labels("app", "web")),
			[]*v1.Pod{st.Pod("lonely", st.On("n3"), antiAffinity(term(zone, "web")))},
			map[string]string{"n3": ErrReasonExistingAntiAffinityRulesNotMatch}},
		{"existing anti-affinity on other labels", st.Pod("p", st.Labels("app", "api")),
			[]*v1.Pod{st.Pod("lonely", st.On("n3"), antiAffinity(term(zone, "web")))}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes := cluster(tt.placed...)
			state := framework.NewCycleState(framework.NewSnapshot(nodes))
			pre := Plugin{}.PreFilter(context.Background(), state, tt.pod)
			for _, n := range nodes {
				want := tt.reasons[n.Name()]
				if pre.IsSkip() {
					if want != "" {
						t.Fatalf("skipped but %s should fail", n.Name())
					}
					continue
				}
				got := Plugin{}.Filter(context.Background(), state, tt.pod, n)
				if got.Message() != want {
					t.Errorf("node %s: %q, want %q", n.Name(), got.Message(), want)
				}
			}
		})
	}
}

func TestScore(t *testing.T) {
	preferred := func(w int32, key, app string, anti bool) func(*v1.Pod) {
		wt := []v1.WeightedPodAffinityTerm{{Weight: w, PodAffinityTerm: term(key, app)}}
		if anti {
			return st.Affinity(&v1.Affinity{PodAntiAffinity: &v1.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: wt}})
		}
		return st.Affinity(&v1.Affinity{PodAffinity: &v1.PodAffinity{PreferredDuringSchedulingIgnoredDuringExecution: wt}})
	}
	tests := []struct {
		name   string
		pod    *v1.Pod
		placed []*v1.Pod
		want   map[string]int64
	}{
		{"prefer the zone with db", st.Pod("p", preferred(5, zone, "db", false)),
			[]*v1.Pod{st.Pod("db", st.Labels("app", "db"), st.On("n3"))},
			map[string]int64{"n1": 0, "n2": 0, "n3": 100, "n4": 0}},
		{"avoid the zone with db", st.Pod("p", preferred(5, zone, "db", true)),
			[]*v1.Pod{st.Pod("db", st.Labels("app", "db"), st.On("n3"))},
			map[string]int64{"n1": 100, "n2": 100, "n3": 0, "n4": 100}},
		{"a placed pod's preference pulls us", st.Pod("p", st.Labels("app", "web")),
			[]*v1.Pod{st.Pod("cache", st.On("n1"), preferred(10, zone, "web", false))},
			map[string]int64{"n1": 100, "n2": 100, "n3": 0, "n4": 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes := cluster(tt.placed...)
			state := framework.NewCycleState(framework.NewSnapshot(nodes))
			if st := (Plugin{}).PreScore(context.Background(), state, tt.pod, nodes); !st.IsSuccess() {
				t.Fatalf("PreScore: %v", st.Code())
			}
			var scores []framework.NodeScore
			for _, n := range nodes {
				s, _ := Plugin{}.Score(context.Background(), state, tt.pod, n)
				scores = append(scores, framework.NodeScore{Name: n.Name(), Score: s})
			}
			Plugin{}.NormalizeScore(context.Background(), state, tt.pod, scores)
			for _, s := range scores {
				if s.Score != tt.want[s.Name] {
					t.Fatalf("scores %v, want %v", scores, tt.want)
				}
			}
		})
	}
}

func TestNamespaceSelector(t *testing.T) {
	inTeam := term(zone, "db")
	inTeam.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"team": "x"}}
	pod := st.Pod("p", affinity(inTeam))
	for _, tt := range []struct {
		ns   string
		want bool
	}{{"team-x", true}, {"team-y", false}} {
		nodes := cluster(st.Pod("db", st.Labels("app", "db"), st.On("n3"), st.Namespace(tt.ns)))
		snap := framework.NewSnapshot(nodes)
		snap.NamespaceLabels = func(ns string) labels.Set {
			return map[string]labels.Set{"team-x": {"team": "x"}, "team-y": {"team": "y"}}[ns]
		}
		state := framework.NewCycleState(snap)
		Plugin{}.PreFilter(context.Background(), state, pod)
		if got := (Plugin{}).Filter(context.Background(), state, pod, nodes[2]).IsSuccess(); got != tt.want {
			t.Errorf("db in %s: fits n3 %v, want %v", tt.ns, got, tt.want)
		}
	}
}
