package statefulset

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

func ptr[T any](v T) *T { return &v }

func newSet(replicas int32, policy appsv1.PodManagementPolicyType) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "ns", UID: "set-uid", Generation: 2},
		Spec: appsv1.StatefulSetSpec{Replicas: &replicas, PodManagementPolicy: policy, ServiceName: "db",
			UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: ptr(int32(0))}}},
	}
}

// pod is the set's pod ordinal at revision rev in state: "ready",
// "pending", "deleting" or "failed".
func pod(ord int, rev, state string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("db-%d", ord), UID: types.UID(fmt.Sprint(ord)),
		Labels: map[string]string{RevisionLabel: rev}}}
	switch state {
	case "ready", "deleting":
		p.Status.Phase = corev1.PodRunning
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(t0.Add(-time.Hour))}}
		if state == "deleting" {
			now := metav1.NewTime(t0)
			p.DeletionTimestamp = &now
		}
	case "pending":
		p.Status.Phase = corev1.PodPending
	case "failed":
		p.Status.Phase = corev1.PodFailed
	}
	return p
}

func render(s Step) string {
	var parts []string
	for _, c := range s.Create {
		parts = append(parts, fmt.Sprintf("+%d@%s", c.Ordinal, c.Revision))
	}
	for _, p := range s.Delete {
		parts = append(parts, "-"+p.Name)
	}
	sort.Strings(parts)
	return fmt.Sprint(parts)
}

func TestNextStep(t *testing.T) {
	ordered, parallel := appsv1.OrderedReadyPodManagement, appsv1.ParallelPodManagement
	cases := []struct {
		name string
		set  *appsv1.StatefulSet
		pods []*corev1.Pod
		want string
	}{
		{"ordered: first pod", newSet(3, ordered), nil, "[+0@u]"},
		{"ordered: waits for pod 0", newSet(3, ordered), []*corev1.Pod{pod(0, "u", "pending")}, "[]"},
		{"ordered: next once ready", newSet(3, ordered), []*corev1.Pod{pod(0, "u", "ready")}, "[+1@u]"},
		{"parallel: all at once", newSet(3, parallel), nil, "[+0@u +1@u +2@u]"},
		{"failed pod is replaced", newSet(2, ordered), []*corev1.Pod{pod(0, "u", "ready"), pod(1, "u", "failed")}, "[-db-1]"},
		{"ordered scale down: highest first", newSet(1, ordered), []*corev1.Pod{pod(0, "u", "ready"), pod(1, "u", "ready"), pod(2, "u", "ready")}, "[-db-2]"},
		{"ordered scale down waits for termination", newSet(1, ordered), []*corev1.Pod{pod(0, "u", "ready"), pod(1, "u", "ready"), pod(2, "u", "deleting")}, "[]"},
		{"parallel scale down", newSet(1, parallel), []*corev1.Pod{pod(0, "u", "ready"), pod(1, "u", "ready"), pod(2, "u", "ready")}, "[-db-1 -db-2]"},
		{"rolling update: highest outdated first", newSet(3, ordered), []*corev1.Pod{pod(0, "c", "ready"), pod(1, "c", "ready"), pod(2, "c", "ready")}, "[-db-2]"},
		{"rolling update: one at a time", newSet(3, ordered), []*corev1.Pod{pod(0, "c", "ready"), pod(1, "c", "ready"), pod(2, "u", "pending")}, "[]"},
		{"rolling update: next", newSet(3, ordered), []*corev1.Pod{pod(0, "c", "ready"), pod(1, "c", "ready"), pod(2, "u", "ready")}, "[-db-1]"},
		{"recreated at the update revision", newSet(3, ordered), []*corev1.Pod{pod(0, "c", "ready"), pod(2, "u", "ready")}, "[+1@u]"},
		{"partition", func() *appsv1.StatefulSet {
			s := newSet(3, ordered)
			s.Spec.UpdateStrategy.RollingUpdate.Partition = ptr(int32(2))
			return s
		}(), []*corev1.Pod{pod(0, "c", "ready"), pod(1, "c", "ready"), pod(2, "u", "ready")}, "[]"},
		{"below the partition pods come back at the current revision", func() *appsv1.StatefulSet {
			s := newSet(3, ordered)
			s.Spec.UpdateStrategy.RollingUpdate.Partition = ptr(int32(2))
			return s
		}(), []*corev1.Pod{pod(0, "c", "ready"), pod(2, "u", "ready")}, "[+1@c]"},
		{"on delete: nothing rolls", func() *appsv1.StatefulSet {
			s := newSet(2, ordered)
			s.Spec.UpdateStrategy = appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType}
			return s
		}(), []*corev1.Pod{pod(0, "c", "ready"), pod(1, "c", "ready")}, "[]"},
		{"maxUnavailable 2", func() *appsv1.StatefulSet {
			s := newSet(3, parallel)
			two := intstrFrom(2)
			s.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = &two
			return s
		}(), []*corev1.Pod{pod(0, "c", "ready"), pod(1, "c", "ready"), pod(2, "c", "ready")}, "[-db-1 -db-2]"},
		{"ordinals start", func() *appsv1.StatefulSet {
			s := newSet(2, parallel)
			s.Spec.Ordinals = &appsv1.StatefulSetOrdinals{Start: 5}
			return s
		}(), []*corev1.Pod{pod(0, "u", "ready")}, "[+5@u +6@u -db-0]"},
	}
	for _, c := range cases {
		if got := render(NextStep(c.set, c.pods, "c", "u", t0)); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}

func TestComputeStatus(t *testing.T) {
	set := newSet(3, appsv1.OrderedReadyPodManagement)
	st := ComputeStatus(set, []*corev1.Pod{pod(0, "c", "ready"), pod(1, "u", "ready"), pod(2, "u", "pending")}, "c", "u", t0)
	if st.Replicas != 3 || st.ReadyReplicas != 2 || st.AvailableReplicas != 2 || st.CurrentReplicas != 1 || st.UpdatedReplicas != 2 ||
		st.CurrentRevision != "c" || st.UpdateRevision != "u" || st.ObservedGeneration != 2 {
		t.Fatalf("mid-rollout: %+v", st)
	}
	st = ComputeStatus(set, []*corev1.Pod{pod(0, "u", "ready"), pod(1, "u", "ready"), pod(2, "u", "ready")}, "c", "u", t0)
	if st.CurrentRevision != "u" || st.CurrentReplicas != 3 {
		t.Fatalf("done: %+v", st)
	}
}

func TestRevisions(t *testing.T) {
	set := newSet(1, appsv1.OrderedReadyPodManagement)
	set.Spec.Template.Labels = map[string]string{"app": "db"}
	set.Spec.Template.Spec.Containers = []corev1.Container{{Name: "c", Image: "postgres:1"}}
	r1 := NewRevision(set, setKind, nil, &set.Spec.Template, 1, nil)
	back, err := TemplateOf(r1)
	if err != nil || back.Spec.Containers[0].Image != "postgres:1" {
		t.Fatalf("round trip: %v %+v", err, back)
	}
	if r1.Labels[RevisionHashLabel] == "" || r1.Name != "db-"+r1.Labels[RevisionHashLabel] {
		t.Fatalf("name %s labels %v", r1.Name, r1.Labels)
	}
	if r2 := NewRevision(set, setKind, nil, &set.Spec.Template, 7, nil); !SameData(r1, r2) || r2.Name != r1.Name {
		t.Fatal("same template, same revision data and name")
	}
	if r3 := NewRevision(set, setKind, nil, &set.Spec.Template, 1, ptr(int32(1))); r3.Name == r1.Name {
		t.Fatal("collision count must change the name")
	}
	var revs []*appsv1.ControllerRevision
	for i := 1; i <= 5; i++ {
		revs = append(revs, &appsv1.ControllerRevision{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint("r", i)}, Revision: int64(i)})
	}
	var pruned []string
	for _, r := range RevisionsToPrune(revs, map[string]bool{"r1": true, "r5": true}, 1) {
		pruned = append(pruned, r.Name)
	}
	if fmt.Sprint(pruned) != "[r2 r3]" {
		t.Fatalf("pruned %v", pruned)
	}
}

func intstrFrom(n int) intstr.IntOrString { return intstr.FromInt32(int32(n)) }
