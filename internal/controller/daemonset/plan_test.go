package daemonset

import (
	"fmt"
	"sort"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func node(name string, labels map[string]string, taints ...corev1.Taint) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Spec: corev1.NodeSpec{Taints: taints}}
}

func TestPlacement(t *testing.T) {
	tmpl := &corev1.PodTemplateSpec{Spec: corev1.PodSpec{NodeSelector: map[string]string{"role": "edge"}}}
	edge := map[string]string{"role": "edge"}
	cases := []struct {
		name     string
		tmpl     *corev1.PodTemplateSpec
		node     *corev1.Node
		run, may bool
	}{
		{"selector matches", tmpl, node("a", edge), true, true},
		{"selector does not match", tmpl, node("a", nil), false, false},
		{"NoSchedule taint: stays, no new", tmpl, node("a", edge, corev1.Taint{Key: "k", Effect: corev1.TaintEffectNoSchedule}), false, true},
		{"NoExecute taint: evicted", tmpl, node("a", edge, corev1.Taint{Key: "k", Effect: corev1.TaintEffectNoExecute}), false, false},
		{"not-ready tolerated by default", tmpl, node("a", edge, corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute}), true, true},
		{"cordoned tolerated by default", tmpl, node("a", edge, corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule}), true, true},
		{"own toleration", &corev1.PodTemplateSpec{Spec: corev1.PodSpec{Tolerations: []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpEqual, Value: "v"}}}},
			node("a", nil, corev1.Taint{Key: "k", Value: "v", Effect: corev1.TaintEffectNoExecute}), true, true},
		{"wrong value", &corev1.PodTemplateSpec{Spec: corev1.PodSpec{Tolerations: []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpEqual, Value: "v"}}}},
			node("a", nil, corev1.Taint{Key: "k", Value: "w", Effect: corev1.TaintEffectNoExecute}), false, false},
		{"required affinity", &corev1.PodTemplateSpec{Spec: corev1.PodSpec{Affinity: targetAffinity(nil, "b")}}, node("a", nil), false, false},
	}
	for _, c := range cases {
		run, may := Placement(c.tmpl, c.node)
		if run != c.run || may != c.may {
			t.Errorf("%s: got %v/%v, want %v/%v", c.name, run, may, c.run, c.may)
		}
	}
}

// pod is a daemon pod on node at hash, "ready" or "pending".
func pod(name, node, hash, state string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(name), Labels: map[string]string{HashLabel: hash},
		CreationTimestamp: metav1.NewTime(t0)}, Spec: corev1.PodSpec{NodeName: node}}
	if state == "ready" {
		p.Status.Phase = corev1.PodRunning
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(t0.Add(-time.Hour))}}
	}
	return p
}

func ds(surge, unavailable int) *appsv1.DaemonSet {
	s, u := intstr.FromInt32(int32(surge)), intstr.FromInt32(int32(unavailable))
	return &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "ds", Generation: 3}, Spec: appsv1.DaemonSetSpec{
		UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
			RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxSurge: &s, MaxUnavailable: &u}}}}
}

func render(p Plan) string {
	var parts []string
	for _, n := range p.Create {
		parts = append(parts, "+"+n)
	}
	for _, d := range p.Delete {
		parts = append(parts, "-"+d.Name)
	}
	sort.Strings(parts)
	return fmt.Sprint(parts)
}

func TestNextPlan(t *testing.T) {
	nodes := []*corev1.Node{node("a", nil), node("b", nil), node("c", nil)}
	cases := []struct {
		name string
		ds   *appsv1.DaemonSet
		pods []*corev1.Pod
		want string
	}{
		{"fresh", ds(0, 1), nil, "[+a +b +c]"},
		{"duplicates and strays go", ds(0, 1), []*corev1.Pod{pod("a1", "a", "new", "ready"), pod("a2", "a", "new", "ready"),
			pod("b1", "b", "new", "ready"), pod("c1", "c", "new", "ready"), pod("gone", "zz", "new", "ready")}, "[-a1 -gone]"},
		{"rolling: one old pod at a time", ds(0, 1), []*corev1.Pod{pod("a1", "a", "old", "ready"), pod("b1", "b", "old", "ready"), pod("c1", "c", "old", "ready")}, "[-a1]"},
		{"rolling: budget used by a pending new pod", ds(0, 1), []*corev1.Pod{pod("a2", "a", "new", "pending"), pod("b1", "b", "old", "ready"), pod("c1", "c", "old", "ready")}, "[]"},
		{"rolling: unavailable old pods go at once", ds(0, 1), []*corev1.Pod{pod("a1", "a", "old", "pending"), pod("b1", "b", "old", "pending"), pod("c1", "c", "old", "ready")}, "[-a1 -b1]"},
		{"surge: new beside old", ds(1, 0), []*corev1.Pod{pod("a1", "a", "old", "ready"), pod("b1", "b", "old", "ready"), pod("c1", "c", "old", "ready")}, "[+a]"},
		{"surge: old goes once new is available", ds(1, 0), []*corev1.Pod{pod("a1", "a", "old", "ready"), pod("a2", "a", "new", "ready"), pod("b1", "b", "old", "ready"), pod("c1", "c", "old", "ready")}, "[-a1]"},
		{"surge: waits while new is pending", ds(1, 0), []*corev1.Pod{pod("a1", "a", "old", "ready"), pod("a2", "a", "new", "pending"), pod("b1", "b", "old", "ready")}, "[+c]"},
	}
	for _, c := range cases {
		if got := render(NextPlan(c.ds, nodes, c.pods, "new", t0)); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}

func TestComputeStatus(t *testing.T) {
	nodes := []*corev1.Node{node("a", nil), node("b", nil), node("c", nil, corev1.Taint{Key: "k", Effect: corev1.TaintEffectNoSchedule})}
	st := ComputeStatus(ds(0, 1), nodes, []*corev1.Pod{pod("a1", "a", "new", "ready"), pod("b1", "b", "old", "pending"), pod("c1", "c", "old", "ready")}, "new", t0)
	want := appsv1.DaemonSetStatus{DesiredNumberScheduled: 2, CurrentNumberScheduled: 2, NumberMisscheduled: 1, NumberReady: 1,
		NumberAvailable: 1, UpdatedNumberScheduled: 1, NumberUnavailable: 1, ObservedGeneration: 3}
	if fmt.Sprintf("%+v", st) != fmt.Sprintf("%+v", want) {
		t.Fatalf("got %+v\nwant %+v", st, want)
	}
}
