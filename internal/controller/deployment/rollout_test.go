package deployment

import (
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

func rolling(n int32, surge, unavailable intstr.IntOrString) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "d", Generation: 1},
		Spec: appsv1.DeploymentSpec{Replicas: &n, ProgressDeadlineSeconds: ptr(int32(600)),
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &surge, MaxUnavailable: &unavailable}}},
	}
}

// set is a ReplicaSet with spec replicas and available pods, created age
// seconds after t0.
func set(name string, spec, available int32, age int) *appsv1.ReplicaSet {
	return &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: metav1.NewTime(t0.Add(time.Duration(age) * time.Second))},
		Spec:       appsv1.ReplicaSetSpec{Replicas: ptr(spec)},
		Status:     appsv1.ReplicaSetStatus{Replicas: spec, ReadyReplicas: available, AvailableReplicas: available},
	}
}

func TestFenceposts(t *testing.T) {
	i, s := intstr.FromInt32, intstr.FromString
	cases := []struct {
		replicas            int32
		surge, unavailable  intstr.IntOrString
		wantSurge, wantUnav int32
	}{
		{10, s("25%"), s("25%"), 3, 2}, // surge rounds up, unavailable down
		{4, i(1), i(0), 1, 0},
		{4, i(0), i(0), 0, 1}, // both zero: one may be unavailable
		{3, s("0%"), s("10%"), 0, 1},
		{2, i(0), i(5), 0, 2}, // unavailable capped at replicas
		{1, s("100%"), s("0%"), 1, 0},
	}
	for _, c := range cases {
		gotS, gotU := Fenceposts(rolling(c.replicas, c.surge, c.unavailable))
		if gotS != c.wantSurge || gotU != c.wantUnav {
			t.Errorf("replicas %d surge %v unavailable %v: got %d/%d, want %d/%d", c.replicas, c.surge.String(), c.unavailable.String(), gotS, gotU, c.wantSurge, c.wantUnav)
		}
	}
	rec := rolling(3, i(1), i(1))
	rec.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	if s, u := Fenceposts(rec); s != 0 || u != 0 {
		t.Errorf("recreate: %d/%d", s, u)
	}
}

func TestNewRSReplicas(t *testing.T) {
	i := intstr.FromInt32
	cases := []struct {
		name string
		d    *appsv1.Deployment
		new  *appsv1.ReplicaSet
		old  []*appsv1.ReplicaSet
		want int32
	}{
		{"surge room", rolling(3, i(1), i(0)), set("new", 0, 0, 2), []*appsv1.ReplicaSet{set("old", 3, 3, 1)}, 1},
		{"no room", rolling(3, i(1), i(0)), set("new", 1, 0, 2), []*appsv1.ReplicaSet{set("old", 3, 3, 1)}, 1},
		{"room after old scaled down", rolling(3, i(1), i(0)), set("new", 1, 1, 2), []*appsv1.ReplicaSet{set("old", 2, 2, 1)}, 2},
		{"never above replicas", rolling(3, i(5), i(0)), set("new", 0, 0, 2), []*appsv1.ReplicaSet{set("old", 3, 3, 1)}, 3},
		{"scaled down deployment", rolling(2, i(1), i(0)), set("new", 3, 3, 2), nil, 2},
		{"old pods not yet deleted take room", rolling(3, i(1), i(0)), set("new", 1, 1, 2), []*appsv1.ReplicaSet{
			func() *appsv1.ReplicaSet { rs := set("old", 2, 3, 1); rs.Status.Replicas = 3; return rs }()}, 1},
	}
	for _, c := range cases {
		all := append(append([]*appsv1.ReplicaSet{}, c.old...), c.new)
		if got := NewRSReplicas(c.d, all, c.new); got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
}

func TestOldScaleDown(t *testing.T) {
	i := intstr.FromInt32
	cases := []struct {
		name string
		d    *appsv1.Deployment
		new  *appsv1.ReplicaSet
		old  []*appsv1.ReplicaSet
		want map[string]int32
	}{
		{"new not available yet: keep old", rolling(3, i(1), i(0)), set("new", 1, 0, 3), []*appsv1.ReplicaSet{set("old", 3, 3, 1)}, map[string]int32{}},
		{"new available: one old goes", rolling(3, i(1), i(0)), set("new", 1, 1, 3), []*appsv1.ReplicaSet{set("old", 3, 3, 1)}, map[string]int32{"old": 2}},
		{"maxUnavailable lets two go", rolling(4, i(0), i(2)), set("new", 0, 0, 3), []*appsv1.ReplicaSet{set("old", 4, 4, 1)}, map[string]int32{"old": 2}},
		{"unhealthy old pods go first", rolling(3, i(1), i(0)), set("new", 1, 1, 3), []*appsv1.ReplicaSet{set("old1", 2, 0, 1), set("old2", 2, 2, 2)},
			map[string]int32{"old1": 0}},
		{"oldest first", rolling(2, i(0), i(1)), set("new", 0, 0, 3), []*appsv1.ReplicaSet{set("b", 1, 1, 2), set("a", 1, 1, 1)}, map[string]int32{"a": 0}},
		{"nothing old", rolling(3, i(1), i(0)), set("new", 3, 3, 3), []*appsv1.ReplicaSet{set("old", 0, 0, 1)}, map[string]int32{}},
	}
	for _, c := range cases {
		got := OldScaleDown(c.d, c.new, c.old)
		if fmt.Sprint(got) != fmt.Sprint(c.want) && !(len(got) == 0 && len(c.want) == 0) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func annotated(rs *appsv1.ReplicaSet, desired, maxR int) *appsv1.ReplicaSet {
	rs.Annotations = map[string]string{DesiredReplicasAnnotation: fmt.Sprint(desired), MaxReplicasAnnotation: fmt.Sprint(maxR)}
	return rs
}

func TestScalePlan(t *testing.T) {
	i := intstr.FromInt32
	cases := []struct {
		name string
		d    *appsv1.Deployment
		new  *appsv1.ReplicaSet
		old  []*appsv1.ReplicaSet
		want map[string]int32
	}{
		{"one active set takes the size", rolling(5, i(1), i(0)), annotated(set("new", 3, 3, 2), 3, 4), []*appsv1.ReplicaSet{set("old", 0, 0, 1)}, map[string]int32{"new": 5}},
		{"saturated new: old to zero", rolling(3, i(1), i(0)), annotated(set("new", 3, 3, 2), 3, 4), []*appsv1.ReplicaSet{set("old", 1, 1, 1)}, map[string]int32{"old": 0}},
		// 10 -> 20 mid-rollout: 6 and 5 of max 12 grow to 11 and 9 of max
		// 22; the rounding rest (2) goes to the bigger set.
		{"proportional growth", rolling(20, i(2), i(0)), annotated(set("new", 6, 3, 2), 10, 12), []*appsv1.ReplicaSet{annotated(set("old", 5, 5, 1), 10, 12)},
			map[string]int32{"new": 13, "old": 9}},
		{"proportional shrink", rolling(5, i(1), i(0)), annotated(set("new", 6, 3, 2), 10, 11), []*appsv1.ReplicaSet{annotated(set("old", 5, 5, 1), 10, 11)},
			map[string]int32{"new": 3, "old": 3}},
	}
	for _, c := range cases {
		got := ScalePlan(c.d, c.new, c.old)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestRolloutStatus(t *testing.T) {
	i := intstr.FromInt32
	d := rolling(3, i(1), i(0))
	d.Generation = 2

	// A fresh rollout with the new set progressing.
	d.Status = appsv1.DeploymentStatus{Replicas: 3, UpdatedReplicas: 0, AvailableReplicas: 3, ReadyReplicas: 3, ObservedGeneration: 1}
	newRS, old := set("new", 1, 0, 2), set("old", 3, 3, 1)
	newRS.Status.Replicas = 1
	st := RolloutStatus(d, newRS, []*appsv1.ReplicaSet{old, newRS}, t0)
	p := Condition(&st, appsv1.DeploymentProgressing)
	if p == nil || p.Reason != ReasonRSUpdated || p.Status != corev1.ConditionTrue {
		t.Fatalf("progressing: %+v", p)
	}
	if a := Condition(&st, appsv1.DeploymentAvailable); a == nil || a.Status != corev1.ConditionTrue {
		t.Fatalf("available: %+v", a)
	}
	if st.Replicas != 4 || st.UpdatedReplicas != 1 || st.UnavailableReplicas != 0 || st.ObservedGeneration != 2 {
		t.Fatalf("counts: %+v", st)
	}

	// No progress past the deadline.
	d.Status = st
	d.Spec.ProgressDeadlineSeconds = ptr(int32(10))
	st2 := RolloutStatus(d, newRS, []*appsv1.ReplicaSet{old, newRS}, t0.Add(11*time.Second))
	if p := Condition(&st2, appsv1.DeploymentProgressing); p == nil || p.Reason != ReasonTimedOut || p.Status != corev1.ConditionFalse {
		t.Fatalf("timed out: %+v", p)
	}
	if w := UntilDeadline(d, &st, t0.Add(4*time.Second)); w != 6*time.Second {
		t.Fatalf("requeue in %v, want 6s", w)
	}

	// Complete.
	done := set("new", 3, 3, 2)
	st3 := RolloutStatus(d, done, []*appsv1.ReplicaSet{set("old", 0, 0, 1), done}, t0.Add(time.Second))
	if p := Condition(&st3, appsv1.DeploymentProgressing); p == nil || p.Reason != ReasonNewRSAvailable {
		t.Fatalf("complete: %+v", p)
	}
	if !Complete(d, &st3) {
		t.Fatal("Complete says no")
	}

	// Too few available: Available False.
	d.Status = appsv1.DeploymentStatus{}
	low := set("new", 3, 1, 2)
	st4 := RolloutStatus(d, low, []*appsv1.ReplicaSet{low}, t0)
	if a := Condition(&st4, appsv1.DeploymentAvailable); a == nil || a.Status != corev1.ConditionFalse || a.Reason != ReasonMinimumUnavailable {
		t.Fatalf("unavailable: %+v", a)
	}
}

func TestPausedCondition(t *testing.T) {
	d := rolling(1, intstr.FromInt32(1), intstr.FromInt32(0))
	d.Spec.Paused = true
	c := PausedCondition(d, t0)
	if c == nil || c.Reason != ReasonPaused || c.Status != corev1.ConditionUnknown {
		t.Fatalf("pause: %+v", c)
	}
	d.Status.Conditions = []appsv1.DeploymentCondition{*c}
	if PausedCondition(d, t0) != nil {
		t.Fatal("already shown")
	}
	d.Spec.Paused = false
	if c := PausedCondition(d, t0); c == nil || c.Reason != ReasonResumed {
		t.Fatalf("resume: %+v", c)
	}
}

func TestRevisionsAndHistory(t *testing.T) {
	d := rolling(1, intstr.FromInt32(1), intstr.FromInt32(0))
	d.Annotations = map[string]string{"kubernetes.io/change-cause": "set image", RevisionAnnotation: "9", lastAppliedAnnotation: "{}"}
	rs := set("rs", 0, 0, 1)
	rs.Annotations = map[string]string{RevisionAnnotation: "1"}
	ann, changed := NewRSAnnotations(d, rs, 3, false)
	if !changed || ann[RevisionAnnotation] != "3" || ann[RevisionHistoryAnnotation] != "1" || ann["kubernetes.io/change-cause"] != "set image" || ann[lastAppliedAnnotation] != "" {
		t.Fatalf("annotations %v", ann)
	}
	rs.Annotations = ann
	if _, changed := NewRSAnnotations(d, rs, 3, false); changed {
		t.Fatal("second pass must change nothing")
	}

	var old []*appsv1.ReplicaSet
	for r := 1; r <= 5; r++ {
		s := set(fmt.Sprint("r", r), 0, 0, r)
		s.Annotations = map[string]string{RevisionAnnotation: fmt.Sprint(r)}
		old = append(old, s)
	}
	old[0].Spec.Replicas = ptr(int32(1)) // still scaling down: kept, the next one goes instead
	var got []string
	for _, rs := range SetsToPrune(old, 2) {
		got = append(got, rs.Name)
	}
	if fmt.Sprint(got) != "[r2 r3 r4]" {
		t.Fatalf("pruned %v, want [r2 r3 r4]", got)
	}

	tmpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "a"}}}
	h1 := TemplateHash(&tmpl, nil)
	h2 := TemplateHash(&tmpl, ptr(int32(1)))
	if h1 == h2 || h1 != TemplateHash(&tmpl, nil) {
		t.Fatalf("hash: %s %s", h1, h2)
	}
	withHash := tmpl.DeepCopy()
	withHash.Labels[appsv1.DefaultDeploymentUniqueLabelKey] = h1
	if !EqualIgnoreHash(&tmpl, withHash) || TemplateHash(withHash, nil) != h1 {
		t.Fatal("hash label must not count")
	}
}
