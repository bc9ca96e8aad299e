package queue

import (
	"context"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
	st "github.com/hanok-dev/hanok/internal/scheduler/schedtest"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time       { return c.t }
func (c *fakeClock) step(d time.Duration) { c.t = c.t.Add(d) }
func newQueue(c *fakeClock) *Queue {
	return New(Options{Now: c.now, Interest: map[framework.ClusterEvent]sets.Set[string]{
		framework.NodeAdd:           sets.New("NodeResourcesFit", "TaintToleration"),
		framework.AssignedPodDelete: sets.New("NodeResourcesFit"),
	}})
}

func priority(p int32) func(*v1.Pod) { return func(pod *v1.Pod) { pod.Spec.Priority = &p } }

func TestPopOrder(t *testing.T) {
	c := &fakeClock{t: time.Unix(1000, 0)}
	q := newQueue(c)
	q.Add(st.Pod("low-old", priority(1)))
	c.step(time.Second)
	q.Add(st.Pod("high", priority(10)))
	c.step(time.Second)
	q.Add(st.Pod("low-new", priority(1)))
	q.Add(st.Pod("low-new", priority(1))) // a second add is not a second entry
	var got []string
	for i := 0; i < 3; i++ {
		got = append(got, q.Pop(context.Background()).Pod.Name)
	}
	want := []string{"high", "low-old", "low-new"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
	if a, b, u := q.Lengths(); a+b+u != 0 {
		t.Fatalf("left over: %d %d %d", a, b, u)
	}
}

func TestUnschedulableMovesOnlyOnInterestingEvents(t *testing.T) {
	c := &fakeClock{t: time.Unix(1000, 0)}
	q := newQueue(c)
	q.Add(st.Pod("taint"))
	q.Add(st.Pod("fit"))
	for i := 0; i < 2; i++ {
		qp := q.Pop(context.Background())
		plugin := "TaintToleration"
		if qp.Pod.Name == "fit" {
			plugin = "NodeResourcesFit"
		}
		q.AddUnschedulable(qp, sets.New(plugin))
	}
	if _, _, u := q.Lengths(); u != 2 {
		t.Fatalf("unschedulable %d, want 2", u)
	}
	c.step(20 * time.Second) // past any backoff
	q.MoveOnEvent(framework.AssignedPodDelete)
	if a, _, u := q.Lengths(); a != 1 || u != 1 {
		t.Fatalf("after pod delete: active %d unschedulable %d, want 1 1", a, u)
	}
	if got := q.Pop(context.Background()).Pod.Name; got != "fit" {
		t.Fatalf("moved %s, want fit", got)
	}
	q.MoveOnEvent(framework.NodeAdd)
	if got := q.Pop(context.Background()).Pod.Name; got != "taint" {
		t.Fatalf("moved %s, want taint", got)
	}
}

func TestMoveDuringBackoffGoesToBackoff(t *testing.T) {
	c := &fakeClock{t: time.Unix(1000, 0)}
	q := newQueue(c)
	q.Add(st.Pod("p"))
	q.AddUnschedulable(q.Pop(context.Background()), sets.New("NodeResourcesFit"))
	q.MoveOnEvent(framework.NodeAdd)
	if a, b, _ := q.Lengths(); a != 0 || b != 1 {
		t.Fatalf("active %d backoff %d, want 0 1", a, b)
	}
	c.step(500 * time.Millisecond)
	q.FlushBackoff()
	if a, _, _ := q.Lengths(); a != 0 {
		t.Fatal("left backoff before 1s")
	}
	c.step(600 * time.Millisecond)
	q.FlushBackoff()
	if a, _, _ := q.Lengths(); a != 1 {
		t.Fatal("still backing off after 1s")
	}
}

func TestBackoffDoublesAndCaps(t *testing.T) {
	c := &fakeClock{t: time.Unix(1000, 0)}
	q := newQueue(c)
	qp := &QueuedPod{Pod: st.Pod("p"), lastFailure: c.t}
	for attempts, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 5: 10 * time.Second, 9: 10 * time.Second} {
		qp.Attempts = attempts
		if got := q.backoffExpiry(qp).Sub(c.t); got != want {
			t.Errorf("attempt %d: backoff %v, want %v", attempts, got, want)
		}
	}
}

func TestEventDuringCycleSendsPodToBackoff(t *testing.T) {
	c := &fakeClock{t: time.Unix(1000, 0)}
	q := newQueue(c)
	q.Add(st.Pod("p"))
	qp := q.Pop(context.Background())
	q.MoveOnEvent(framework.NodeAdd) // a node appears while p is being scheduled
	q.AddUnschedulable(qp, sets.New("NodeResourcesFit"))
	if _, b, u := q.Lengths(); b != 1 || u != 0 {
		t.Fatalf("backoff %d unschedulable %d, want 1 0", b, u)
	}
	// An event no rejecting plugin cares about does not count.
	q.Add(st.Pod("q"))
	c.step(time.Minute)
	q.FlushBackoff()
	for qp := q.Pop(context.Background()); qp.Pod.Name != "q"; qp = q.Pop(context.Background()) {
		q.Done(qp)
	}
	qp = &QueuedPod{}
	q.mu.Lock()
	for k := range q.inFlight {
		qp.key = k
	}
	qp.Cycle = q.cycle
	q.mu.Unlock()
	q.MoveOnEvent(framework.AssignedPodDelete)
	q.AddUnschedulable(qp, sets.New("TaintToleration"))
	if _, _, u := q.Lengths(); u != 1 {
		t.Fatal("an uninteresting event sent the pod to backoff")
	}
}

func TestUpdateOfUnschedulablePodRequeues(t *testing.T) {
	c := &fakeClock{t: time.Unix(1000, 0)}
	q := newQueue(c)
	old := st.Pod("p")
	q.Add(old)
	q.AddUnschedulable(q.Pop(context.Background()), sets.New("NodeResourcesFit"))
	c.step(20 * time.Second)
	q.Update(old, old.DeepCopy()) // status-only style update: stays
	if _, _, u := q.Lengths(); u != 1 {
		t.Fatal("an unchanged pod left unschedulable")
	}
	changed := old.DeepCopy()
	changed.Spec.Tolerations = []v1.Toleration{{Operator: v1.TolerationOpExists}}
	q.Update(old, changed)
	if a, _, _ := q.Lengths(); a != 1 {
		t.Fatal("a changed spec should make the pod active")
	}
	if got := q.Pop(context.Background()).Pod; len(got.Spec.Tolerations) != 1 {
		t.Fatal("popped the old object")
	}
}

func TestDeleteWhileInFlight(t *testing.T) {
	c := &fakeClock{t: time.Unix(1000, 0)}
	q := newQueue(c)
	p := st.Pod("p")
	q.Add(p)
	qp := q.Pop(context.Background())
	q.Delete(p)
	q.AddUnschedulable(qp, nil)
	if a, b, u := q.Lengths(); a+b+u != 0 {
		t.Fatalf("deleted pod came back: %d %d %d", a, b, u)
	}
}

func TestUnschedulableTimeout(t *testing.T) {
	c := &fakeClock{t: time.Unix(1000, 0)}
	q := newQueue(c)
	q.Add(st.Pod("p"))
	q.AddUnschedulable(q.Pop(context.Background()), sets.New("SomethingNoEventHelps"))
	c.step(4 * time.Minute)
	q.FlushUnschedulable()
	if _, _, u := q.Lengths(); u != 1 {
		t.Fatal("flushed too early")
	}
	c.step(2 * time.Minute)
	q.FlushUnschedulable()
	if a, _, _ := q.Lengths(); a != 1 {
		t.Fatal("not flushed after 5 minutes")
	}
}

func TestPopBlocksUntilAddAndCloseReleases(t *testing.T) {
	q := New(Options{})
	got := make(chan *QueuedPod)
	go func() { got <- q.Pop(context.Background()) }()
	q.Add(st.Pod("p"))
	if qp := <-got; qp == nil || qp.Pod.Name != "p" {
		t.Fatalf("popped %v", qp)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { got <- q.Pop(ctx) }()
	cancel()
	q.Wake()
	if qp := <-got; qp != nil {
		t.Fatal("Pop after cancel returned a pod")
	}
	go func() { got <- q.Pop(context.Background()) }()
	q.Close()
	if qp := <-got; qp != nil {
		t.Fatal("Pop after Close returned a pod")
	}
}
