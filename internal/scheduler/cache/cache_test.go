package cache

import (
	"testing"

	v1 "k8s.io/api/core/v1"

	st "github.com/hanok-dev/hanok/internal/scheduler/schedtest"
)

func TestAssumeConfirmForget(t *testing.T) {
	c := New()
	c.AddNode(st.Node("n1"))
	c.AddNode(st.Node("n2"))
	p := st.Pod("p", st.Requests("cpu", "1"), st.On("n1"))

	before := c.Snapshot()
	if err := c.AssumePod(p); err != nil {
		t.Fatal(err)
	}
	if err := c.AssumePod(p); err == nil {
		t.Fatal("assumed twice")
	}
	after := c.Snapshot()
	if got := after.Get("n1").Requested.MilliCPU; got != 1000 {
		t.Fatalf("assumed pod not counted: %d", got)
	}
	if got := before.Get("n1").Requested.MilliCPU; got != 0 {
		t.Fatalf("an older snapshot changed: %d", got)
	}

	// The informer confirms it: still counted once.
	c.AddPod(p)
	if got := c.Snapshot().Get("n1"); got.Requested.MilliCPU != 1000 || len(got.Pods) != 1 {
		t.Fatalf("confirmed pod counted wrong: %d cpu, %d pods", got.Requested.MilliCPU, len(got.Pods))
	}
	// A confirmed pod is not forgotten.
	c.ForgetPod(p)
	if len(c.Snapshot().Get("n1").Pods) != 1 {
		t.Fatal("ForgetPod dropped a bound pod")
	}

	q := st.Pod("q", st.Requests("cpu", "2"), st.On("n2"))
	_ = c.AssumePod(q)
	c.ForgetPod(q)
	if got := c.Snapshot().Get("n2").Requested.MilliCPU; got != 0 {
		t.Fatalf("forgotten pod still counted: %d", got)
	}
}

func TestPodMovesAndNodeGoes(t *testing.T) {
	c := New()
	c.AddNode(st.Node("n1"))
	p := st.Pod("p", st.Requests("cpu", "1"), st.On("n1"))
	c.AddPod(p)
	c.RemoveNode("n1")
	if c.Snapshot().Get("n1") != nil {
		t.Fatal("removed node still in snapshot")
	}
	c.RemovePod(p)
	if _, pods := c.Sizes(); pods != 0 {
		t.Fatalf("pods left: %d", pods)
	}
	// A pod seen before its node: the node appears with it counted.
	c.AddPod(st.Pod("early", st.Requests("cpu", "1"), st.On("n3")))
	if c.Snapshot().Get("n3") != nil {
		t.Fatal("node without an object in snapshot")
	}
	c.AddNode(st.Node("n3"))
	if got := c.Snapshot().Get("n3").Requested.MilliCPU; got != 1000 {
		t.Fatalf("early pod not counted: %d", got)
	}
}

func TestUpdateNodeKeepsPods(t *testing.T) {
	c := New()
	c.AddNode(st.Node("n1"))
	c.AddPod(st.Pod("p", st.Requests("cpu", "1"), st.On("n1")))
	tainted := st.Node("n1", st.Taints(v1.Taint{Key: "k", Effect: v1.TaintEffectNoSchedule}))
	c.UpdateNode(tainted)
	n := c.Snapshot().Get("n1")
	if len(n.Node.Spec.Taints) != 1 || n.Requested.MilliCPU != 1000 {
		t.Fatalf("update lost something: %v taints, %d cpu", n.Node.Spec.Taints, n.Requested.MilliCPU)
	}
}

func TestImageCountsAndRemovalKeepIndex(t *testing.T) {
	img := func(names ...string) func(*v1.Node) {
		return func(n *v1.Node) { n.Status.Images = []v1.ContainerImage{{Names: names, SizeBytes: 1}} }
	}
	c := New()
	c.AddNode(st.Node("n1", img("app:v1")))
	c.AddNode(st.Node("n2", img("app:v1")))
	c.AddNode(st.Node("n3"))
	before := c.Snapshot()
	if got := before.ImageNodes("app:v1"); got != 2 {
		t.Fatalf("app:v1 on %d nodes, want 2", got)
	}
	c.UpdateNode(st.Node("n2", img("other")))
	c.RemoveNode("n1")
	after := c.Snapshot()
	if got := after.ImageNodes("app:v1"); got != 0 {
		t.Fatalf("app:v1 on %d nodes after removal, want 0", got)
	}
	if before.ImageNodes("app:v1") != 2 || before.Get("n1") == nil {
		t.Fatal("an older snapshot changed")
	}
	if after.Get("n1") != nil || after.Get("n2") == nil || after.Get("n3") == nil || len(after.Nodes) != 2 {
		t.Fatalf("index after removal: %v %v %v", after.Get("n1"), after.Get("n2"), after.Get("n3"))
	}
	for _, n := range after.Nodes {
		if after.Get(n.Name()) != n {
			t.Fatalf("index points %s elsewhere", n.Name())
		}
	}
}
