package scheduler

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	v1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
	"github.com/hanok-dev/hanok/internal/scheduler/plugins/noderesources"
	"github.com/hanok-dev/hanok/internal/scheduler/plugins/tainttoleration"
	st "github.com/hanok-dev/hanok/internal/scheduler/schedtest"
)

func TestNumFeasibleNodesToFind(t *testing.T) {
	for all, want := range map[int]int{10: 10, 99: 99, 100: 100, 200: 100, 1000: 420, 5000: 500, 6000: 300, 20000: 1000} {
		if got := numFeasibleNodesToFind(all); got != want {
			t.Errorf("%d nodes: %d, want %d", all, got, want)
		}
	}
}

// scoreByName scores nodes by a fixed table.
type scoreByName map[string]int64

func (scoreByName) Name() string { return "ScoreByName" }
func (s scoreByName) Score(_ context.Context, _ *framework.CycleState, _ *v1.Pod, n *framework.NodeInfo) (int64, *framework.Status) {
	return s[n.Name()], nil
}

type failingFilter struct{}

func (failingFilter) Name() string { return "Failing" }
func (failingFilter) Filter(context.Context, *framework.CycleState, *v1.Pod, *framework.NodeInfo) *framework.Status {
	return framework.AsStatus(errors.New("boom"))
}

func newAlgo() *algorithm { return &algorithm{parallelism: 4, rnd: rand.New(rand.NewPCG(1, 2))} }

func TestScheduleFiltersThenPicksBestScore(t *testing.T) {
	nodes := []*framework.NodeInfo{
		st.Info(st.Node("small", st.Allocatable("cpu", "1", "memory", "1Gi", "pods", "10"))),
		st.Info(st.Node("tainted", st.Taints(v1.Taint{Key: "k", Effect: v1.TaintEffectNoSchedule}))),
		st.Info(st.Node("ok-1")),
		st.Info(st.Node("ok-2")),
	}
	prof := framework.NewProfile("p", []framework.WeightedPlugin{
		{Plugin: tainttoleration.Plugin{}}, {Plugin: noderesources.Plugin{}},
		{Plugin: scoreByName{"ok-1": 10, "ok-2": 90, "small": 100}, Weight: 2},
	})
	pod := st.Pod("p", st.Requests("cpu", "2"))
	got, err := newAlgo().schedule(context.Background(), prof, framework.NewCycleState(framework.NewSnapshot(nodes)), pod, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.node != "ok-2" {
		t.Fatalf("picked %s, want ok-2", got.node)
	}

	// Nothing fits: a FitError naming each node's reason.
	pod = st.Pod("p", st.Requests("cpu", "64"))
	_, err = newAlgo().schedule(context.Background(), prof, framework.NewCycleState(framework.NewSnapshot(nodes)), pod, 0)
	var fitErr *framework.FitError
	if !errors.As(err, &fitErr) {
		t.Fatalf("error %v, want a FitError", err)
	}
	want := "0/4 nodes are available: 1 node(s) had untolerated taint {k: }, 3 Insufficient cpu."
	if fitErr.Error() != want {
		t.Fatalf("\n got: %s\nwant: %s", fitErr.Error(), want)
	}
	if !fitErr.Diagnosis.UnschedulablePlugins.HasAll(tainttoleration.Name, noderesources.Name) {
		t.Fatalf("unschedulable plugins %v", fitErr.Diagnosis.UnschedulablePlugins)
	}

	// A plugin error is an error, not a FitError.
	broken := framework.NewProfile("p", []framework.WeightedPlugin{{Plugin: failingFilter{}}})
	_, err = newAlgo().schedule(context.Background(), broken, framework.NewCycleState(framework.NewSnapshot(nodes)), pod, 0)
	if err == nil || errors.As(err, &fitErr) {
		t.Fatalf("error %v, want a plain error", err)
	}

	// No nodes at all.
	if _, err := newAlgo().schedule(context.Background(), prof, framework.NewCycleState(framework.NewSnapshot(nil)), pod, 0); !errors.Is(err, errNoNodes) {
		t.Fatalf("error %v, want %v", err, errNoNodes)
	}
}

func TestScheduleOnManyNodesStopsEarlyAndRotates(t *testing.T) {
	var nodes []*framework.NodeInfo
	for i := 0; i < 1000; i++ {
		nodes = append(nodes, st.Info(st.Node(fmt.Sprintf("n%04d", i))))
	}
	prof := framework.NewProfile("p", []framework.WeightedPlugin{{Plugin: noderesources.Plugin{}, Weight: 1}})
	a := newAlgo()
	got, err := a.schedule(context.Background(), prof, framework.NewCycleState(framework.NewSnapshot(nodes)), st.Pod("p"), 990)
	if err != nil {
		t.Fatal(err)
	}
	if got.processed != numFeasibleNodesToFind(1000) {
		t.Fatalf("processed %d nodes, want %d", got.processed, numFeasibleNodesToFind(1000))
	}
}

func TestSelectHostBreaksTiesRandomly(t *testing.T) {
	a := newAlgo()
	seen := map[string]int{}
	for i := 0; i < 300; i++ {
		seen[a.selectHost([]framework.NodeScore{{Name: "a", Score: 5}, {Name: "b", Score: 9}, {Name: "c", Score: 9}, {Name: "d", Score: 9}})]++
	}
	if seen["a"] != 0 || seen["b"] < 50 || seen["c"] < 50 || seen["d"] < 50 {
		t.Fatalf("picks %v", seen)
	}
}

func TestNominatedNodeFirst(t *testing.T) {
	nodes := []*framework.NodeInfo{st.Info(st.Node("a")), st.Info(st.Node("b"))}
	prof := framework.NewProfile("p", []framework.WeightedPlugin{{Plugin: noderesources.Plugin{}}, {Plugin: scoreByName{"a": 100}, Weight: 1}})
	pod := st.Pod("p")
	pod.Status.NominatedNodeName = "b"
	got, err := newAlgo().schedule(context.Background(), prof, framework.NewCycleState(framework.NewSnapshot(nodes)), pod, 0)
	if err != nil || got.node != "b" {
		t.Fatalf("got %v %v, want b", got, err)
	}
}

func TestNominatedPodsKeepTheirRoom(t *testing.T) {
	prio := func(p int32) func(*v1.Pod) { return func(pod *v1.Pod) { pod.Spec.Priority = &p } }
	nodes := []*framework.NodeInfo{st.Info(st.Node("a", st.Allocatable("cpu", "2", "memory", "1Gi", "pods", "10")))}
	snap := framework.NewSnapshot(nodes)
	snap.Nominated = map[string][]*framework.PodInfo{"a": {framework.NewPodInfo(st.Pod("preemptor", prio(100), st.Requests("cpu", "2")))}}
	prof := framework.NewProfile("p", []framework.WeightedPlugin{{Plugin: noderesources.Plugin{}}})
	tests := []struct {
		pod  *v1.Pod
		fits bool
	}{
		{st.Pod("lower", prio(10), st.Requests("cpu", "1")), false},
		{st.Pod("higher", prio(200), st.Requests("cpu", "1")), true},
		{st.Pod("preemptor", prio(100), st.Requests("cpu", "2")), true}, // itself
	}
	for _, tt := range tests {
		_, err := newAlgo().schedule(context.Background(), prof, framework.NewCycleState(snap), tt.pod, 0)
		if (err == nil) != tt.fits {
			t.Errorf("%s: err %v, want fits=%v", tt.pod.Name, err, tt.fits)
		}
	}
}
