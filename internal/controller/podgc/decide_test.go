package podgc

import (
	"reflect"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func pod(name string, created int64, phase corev1.PodPhase, node string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", CreationTimestamp: metav1.Unix(created, 0)},
		Spec:       corev1.PodSpec{NodeName: node},
		Status:     corev1.PodStatus{Phase: phase},
	}
}

func names(pods []*corev1.Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Name)
	}
	return out
}

func TestOverThreshold(t *testing.T) {
	now := metav1.Now()
	deleting := pod("old-deleting", 1, corev1.PodFailed, "")
	deleting.DeletionTimestamp = &now
	pods := []*corev1.Pod{
		pod("running", 0, corev1.PodRunning, "n"),
		deleting,
		pod("b", 2, corev1.PodSucceeded, "n"),
		pod("a", 2, corev1.PodFailed, "n"),
		pod("newest", 9, corev1.PodSucceeded, "n"),
	}
	tests := []struct {
		threshold int
		want      []string
	}{
		{10, nil},
		{4, nil},
		{3, nil},                // the one over is already being deleted
		{2, []string{"a"}},      // oldest first, ties by name
		{1, []string{"a", "b"}}, // never the running one
		{0, []string{"a", "b", "newest"}},
		{-1, nil}, // off
	}
	for _, tt := range tests {
		if got := names(overThreshold(pods, tt.threshold)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("threshold %d: %v, want %v", tt.threshold, got, tt.want)
		}
	}
}

func TestMissingNodes(t *testing.T) {
	t0 := time.Unix(1000, 0)
	q := 40 * time.Second
	nodes := map[string]bool{"here": true}
	exists := func(n string) bool { return nodes[n] }
	pods := []*corev1.Pod{pod("p1", 0, corev1.PodRunning, "here"), pod("p2", 0, corev1.PodRunning, "gone"), pod("p3", 0, corev1.PodRunning, "gone"), pod("p4", 0, corev1.PodPending, "")}
	since := map[string]time.Time{}

	if got := missingNodes(pods, exists, since, t0, q); len(got) != 0 || !since["gone"].Equal(t0) {
		t.Fatalf("first sight: %v %v", got, since)
	}
	if got := missingNodes(pods, exists, since, t0.Add(39*time.Second), q); len(got) != 0 {
		t.Fatalf("within quarantine: %v", got)
	}
	if got := missingNodes(pods, exists, since, t0.Add(40*time.Second), q); !reflect.DeepEqual(got, []string{"gone"}) {
		t.Fatalf("after quarantine: %v", got)
	}
	nodes["gone"] = true // it came back
	if got := missingNodes(pods, exists, since, t0.Add(41*time.Second), q); len(got) != 0 || len(since) != 0 {
		t.Fatalf("node back: %v %v", got, since)
	}
	delete(nodes, "gone")
	if got := missingNodes(pods[:1], exists, since, t0.Add(50*time.Second), q); len(got) != 0 || len(since) != 0 {
		t.Fatalf("no pod on it any more: %v %v", got, since)
	}
}

func TestUnscheduledTerminating(t *testing.T) {
	now := metav1.Now()
	a := pod("a", 0, corev1.PodPending, "")
	a.DeletionTimestamp = &now
	b := pod("b", 0, corev1.PodRunning, "n")
	b.DeletionTimestamp = &now
	if got := names(unscheduledTerminating([]*corev1.Pod{a, b, pod("c", 0, corev1.PodPending, "")})); !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("unscheduledTerminating = %v", got)
	}
}

func TestFailedStatus(t *testing.T) {
	now := time.Unix(5000, 0)
	p := pod("p", 0, corev1.PodRunning, "n")
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
	status, ok := failedStatus(p, messageNodeGone, now)
	if !ok || status.Phase != corev1.PodFailed || len(status.Conditions) != 2 {
		t.Fatalf("failedStatus: %v %+v", ok, status)
	}
	c := status.Conditions[1]
	if c.Type != corev1.DisruptionTarget || c.Status != corev1.ConditionTrue || c.Reason != reasonDeletionByPodGC || c.Message != messageNodeGone || !c.LastTransitionTime.Time.Equal(now) {
		t.Errorf("condition %+v", c)
	}
	if p.Status.Phase != corev1.PodRunning || len(p.Status.Conditions) != 1 {
		t.Error("failedStatus changed its input")
	}
	if _, ok := failedStatus(pod("done", 0, corev1.PodSucceeded, "n"), messageNodeGone, now); ok {
		t.Error("a finished pod needs no status")
	}
}

func TestOutOfService(t *testing.T) {
	now := metav1.Now()
	taint := corev1.Taint{Key: corev1.TaintNodeOutOfService, Effect: corev1.TaintEffectNoExecute}
	nodes := map[string]*corev1.Node{
		"oos":       {Spec: corev1.NodeSpec{Taints: []corev1.Taint{taint}}, Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionUnknown}}}},
		"oos-ready": {Spec: corev1.NodeSpec{Taints: []corev1.Taint{taint}}, Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}},
		"down":      {Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionFalse}}}},
	}
	deleting := func(name, node string) *corev1.Pod {
		p := pod(name, 0, corev1.PodRunning, node)
		p.DeletionTimestamp = &now
		return p
	}
	pods := []*corev1.Pod{
		deleting("a", "oos"), pod("b", 0, corev1.PodRunning, "oos"), deleting("c", "oos-ready"),
		deleting("d", "down"), deleting("e", "absent"),
	}
	got := names(outOfService(pods, func(n string) *corev1.Node { return nodes[n] }))
	if !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("outOfService = %v, want [a]", got)
	}
}
