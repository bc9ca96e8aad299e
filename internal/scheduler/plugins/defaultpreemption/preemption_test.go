package defaultpreemption

import (
	"context"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
	"github.com/hanok-dev/hanok/internal/scheduler/plugins/noderesources"
	"github.com/hanok-dev/hanok/internal/scheduler/plugins/tainttoleration"
	st "github.com/hanok-dev/hanok/internal/scheduler/schedtest"
)

func prio(p int32) func(*v1.Pod) { return func(pod *v1.Pod) { pod.Spec.Priority = &p } }

func started(sec int64) func(*v1.Pod) {
	return func(pod *v1.Pod) { t := metav1.NewTime(time.Unix(sec, 0)); pod.Status.StartTime = &t }
}

var profile = framework.NewProfile("test", []framework.WeightedPlugin{{Plugin: tainttoleration.Plugin{}}, {Plugin: noderesources.Plugin{}}})

// run filters pod over the nodes (as the scheduler does), then preempts.
func run(t *testing.T, pod *v1.Pod, nodes []*framework.NodeInfo, pdbs ...*policyv1.PodDisruptionBudget) Result {
	t.Helper()
	snap := framework.NewSnapshot(nodes)
	state := framework.NewCycleState(snap)
	profile.RunPreFilter(context.Background(), state, pod)
	statuses := map[string]*framework.Status{}
	for _, n := range nodes {
		if st := profile.RunFilter(context.Background(), state, pod, n); !st.IsSuccess() {
			statuses[n.Name()] = st
		} else {
			t.Fatalf("pod fits %s: no preemption needed", n.Name())
		}
	}
	return Preempt(context.Background(), profile, snap, pod, statuses, pdbs)
}

func node2cpu(name string, opts ...func(*v1.Node)) *v1.Node {
	return st.Node(name, append([]func(*v1.Node){st.Allocatable("cpu", "2", "memory", "8Gi", "pods", "10")}, opts...)...)
}

func TestPicksCheapestVictims(t *testing.T) {
	nodes := []*framework.NodeInfo{
		st.Info(node2cpu("low"),
			st.Pod("low-old", prio(1), st.Requests("cpu", "1"), st.On("low"), started(100)),
			st.Pod("low-new", prio(1), st.Requests("cpu", "1"), st.On("low"), started(200))),
		st.Info(node2cpu("mid"), st.Pod("mid", prio(5), st.Requests("cpu", "2"), st.On("mid"))),
	}
	r := run(t, st.Pod("p", prio(10), st.Requests("cpu", "1")), nodes)
	if r.Candidate == nil {
		t.Fatalf("no candidate: %s", r.Message)
	}
	if r.Candidate.Node != "low" || len(r.Candidate.Victims) != 1 {
		t.Fatalf("candidate %s with %d victims, want low with 1", r.Candidate.Node, len(r.Candidate.Victims))
	}
	// Of two equal pods, the more important (older) one is reprieved.
	if got := r.Candidate.Victims[0].Name; got != "low-new" {
		t.Fatalf("victim %s, want low-new", got)
	}
}

func TestHonoursPDBs(t *testing.T) {
	nodes := []*framework.NodeInfo{
		st.Info(node2cpu("guarded"), st.Pod("g", prio(1), st.Labels("app", "guarded"), st.Requests("cpu", "2"), st.On("guarded"))),
		st.Info(node2cpu("free"), st.Pod("f", prio(3), st.Labels("app", "free"), st.Requests("cpu", "2"), st.On("free"))),
	}
	pdb := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: "pdb", Namespace: "ns"},
		Spec:   policyv1.PodDisruptionBudgetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "guarded"}}},
		Status: policyv1.PodDisruptionBudgetStatus{DisruptionsAllowed: 0}}
	r := run(t, st.Pod("p", prio(10), st.Requests("cpu", "1")), nodes, pdb)
	if r.Candidate == nil || r.Candidate.Node != "free" || r.Candidate.PDBViolations != 0 {
		t.Fatalf("candidate %+v, want free without violations", r.Candidate)
	}
	// Without another choice, the PDB is violated (counted).
	r = run(t, st.Pod("p", prio(10), st.Requests("cpu", "1")), nodes[:1], pdb)
	if r.Candidate == nil || r.Candidate.PDBViolations != 1 {
		t.Fatalf("candidate %+v, want one violation", r.Candidate)
	}
}

func TestNoCandidates(t *testing.T) {
	tainted := node2cpu("tainted", st.Taints(v1.Taint{Key: "k", Effect: v1.TaintEffectNoSchedule}))
	never := v1.PreemptNever
	tests := []struct {
		name  string
		pod   *v1.Pod
		nodes []*framework.NodeInfo
		want  string
	}{
		{"nothing lower to evict", st.Pod("p", st.Requests("cpu", "1")),
			[]*framework.NodeInfo{st.Info(node2cpu("full"), st.Pod("x", st.Requests("cpu", "2"), st.On("full"))), st.Info(tainted)},
			"preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling."},
		{"evicting every lower pod is not enough", st.Pod("p", prio(10), st.Requests("cpu", "2")),
			[]*framework.NodeInfo{st.Info(node2cpu("small"), st.Pod("x", prio(1), st.Requests("cpu", "1"), st.On("small")),
				st.Pod("y", prio(20), st.Requests("cpu", "1"), st.On("small")))},
			"preemption: 0/1 nodes are available: 1 Insufficient cpu."},
		{"preemptionPolicy Never", st.Pod("p", prio(10), st.Requests("cpu", "1"), func(p *v1.Pod) { p.Spec.PreemptionPolicy = &never }),
			[]*framework.NodeInfo{st.Info(node2cpu("full"), st.Pod("x", prio(1), st.Requests("cpu", "2"), st.On("full")))},
			"preemption: not eligible due to preemptionPolicy=Never."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.pod, tt.nodes)
			if r.Candidate != nil || r.Message != tt.want {
				t.Fatalf("got %+v %q\nwant %q", r.Candidate, r.Message, tt.want)
			}
		})
	}
}
