package scheduler

import (
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/fake"

	st "github.com/hanok-dev/hanok/internal/scheduler/schedtest"
)

func TestPodEventsRouteToQueueAndCache(t *testing.T) {
	s := New(fake.NewClientset(), Config{SchedulerNames: []string{"default-scheduler", "batch"}})
	queued := func() int { a, b, u := s.queue.Lengths(); return a + b + u }
	named := func(n string) func(*v1.Pod) { return func(p *v1.Pod) { p.Spec.SchedulerName = n } }
	gated := func(p *v1.Pod) { p.Spec.SchedulingGates = []v1.PodSchedulingGate{{Name: "g"}} }
	done := func(p *v1.Pod) { p.Status.Phase = v1.PodSucceeded }

	s.onPodAdd(st.Pod("mine"))
	s.onPodAdd(st.Pod("batch", named("batch")))
	s.onPodAdd(st.Pod("theirs", named("other")))
	s.onPodAdd(st.Pod("gated", gated))
	s.onPodAdd(st.Pod("finished", done))
	if got := queued(); got != 2 {
		t.Fatalf("queued %d pods, want 2 (mine, batch)", got)
	}

	// mine gets bound: out of the queue, into the cache.
	bound := st.Pod("mine", st.Requests("cpu", "1"), st.On("n1"))
	s.onPodUpdate(st.Pod("mine"), bound)
	if got := queued(); got != 1 {
		t.Fatalf("queued %d after a bind, want 1", got)
	}
	s.cache.AddNode(st.Node("n1"))
	if got := s.cache.Snapshot().Get("n1").Requested.MilliCPU; got != 1000 {
		t.Fatalf("bound pod not in the cache: %d", got)
	}
	// It finishes: its resources are free again.
	s.onPodUpdate(bound, st.Pod("mine", st.Requests("cpu", "1"), st.On("n1"), done))
	if got := s.cache.Snapshot().Get("n1").Requested.MilliCPU; got != 0 {
		t.Fatalf("finished pod still counted: %d", got)
	}
	// The gate goes: the pod is queued.
	s.onPodUpdate(st.Pod("gated", gated), st.Pod("gated"))
	if got := queued(); got != 2 {
		t.Fatalf("queued %d after ungating, want 2", got)
	}
	// Deleted while pending: gone from the queue.
	s.onPodDelete(st.Pod("gated"))
	if got := queued(); got != 1 {
		t.Fatalf("queued %d after delete, want 1", got)
	}
}

func TestNodeChangesThatMatter(t *testing.T) {
	base := st.Node("n")
	heartbeat := base.DeepCopy()
	heartbeat.Status.Conditions = []v1.NodeCondition{{Type: v1.NodeReady, Status: v1.ConditionTrue}}
	tainted := st.Node("n", st.Taints(v1.Taint{Key: "k", Effect: v1.TaintEffectNoSchedule}))
	cordoned := base.DeepCopy()
	cordoned.Spec.Unschedulable = true
	for name, tt := range map[string]struct {
		n    *v1.Node
		want bool
	}{"heartbeat": {heartbeat, false}, "taint": {tainted, true}, "cordon": {cordoned, true}, "labels": {st.Node("n", st.NodeLabels("zone", "a")), true}} {
		if got := nodeSchedulingChanged(base, tt.n); got != tt.want {
			t.Errorf("%s: changed=%v, want %v", name, got, tt.want)
		}
	}
}
