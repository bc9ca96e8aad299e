package disruption

import (
	"errors"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

func ownedPod(name string, owner types.UID, ready bool) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"}}
	if owner != "" {
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: string(owner), UID: owner, Controller: ptr.To(true)}}
	}
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}
	return p
}

func budget(minAvailable, maxUnavailable *intstr.IntOrString) *policyv1.PodDisruptionBudget {
	return &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: "b", Namespace: "ns", Generation: 3},
		Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: minAvailable, MaxUnavailable: maxUnavailable}}
}

func TestExpect(t *testing.T) {
	int3, pct50, pct34, int1 := intstr.FromInt32(3), intstr.FromString("50%"), intstr.FromString("34%"), intstr.FromInt32(1)
	// rs-a has 4 replicas, rs-b 3; "gone" names no controller there is.
	scaleOf := func(_ string, ref *metav1.OwnerReference) (int32, bool, error) {
		switch ref.UID {
		case "rs-a":
			return 4, true, nil
		case "rs-b":
			return 3, true, nil
		case "broken":
			return 0, false, errors.New("boom")
		}
		return 0, false, nil
	}
	a1, a2, b1 := ownedPod("a1", "rs-a", true), ownedPod("a2", "rs-a", true), ownedPod("b1", "rs-b", true)
	loose := ownedPod("loose", "", true)
	tests := []struct {
		name          string
		pdb           *policyv1.PodDisruptionBudget
		pods          []*corev1.Pod
		want          expectation
		wantErr       bool
		wantNoControl bool
	}{
		{name: "minAvailable number counts the pods there are",
			pdb: budget(&int3, nil), pods: []*corev1.Pod{a1, a2, loose}, want: expectation{expected: 3, desired: 3}},
		{name: "minAvailable percent of the controllers' scale, rounded up",
			pdb: budget(&pct50, nil), pods: []*corev1.Pod{a1, a2, b1}, want: expectation{expected: 7, desired: 4}},
		{name: "maxUnavailable number",
			pdb: budget(nil, &int1), pods: []*corev1.Pod{a1, b1}, want: expectation{expected: 7, desired: 6}},
		{name: "maxUnavailable percent rounds up what may be down",
			pdb: budget(nil, &pct34), pods: []*corev1.Pod{a1}, want: expectation{expected: 4, desired: 2}},
		{name: "maxUnavailable larger than the scale",
			pdb: budget(nil, &int3), pods: []*corev1.Pod{b1}, want: expectation{expected: 3, desired: 0}},
		{name: "pods without a controller are left out and named",
			pdb: budget(nil, &int1), pods: []*corev1.Pod{a1, loose}, want: expectation{expected: 4, desired: 3, unmanaged: []string{"loose"}}},
		{name: "a controller that cannot be found",
			pdb: budget(nil, &int1), pods: []*corev1.Pod{ownedPod("x", "gone", true)}, wantErr: true, wantNoControl: true},
		{name: "an error reading a scale",
			pdb: budget(&pct50, nil), pods: []*corev1.Pod{ownedPod("x", "broken", true)}, wantErr: true},
		{name: "no pods",
			pdb: budget(nil, &int1), want: expectation{expected: 0, desired: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expect(tt.pdb, tt.pods, scaleOf)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				if errors.As(err, new(noControllerError)) != tt.wantNoControl {
					t.Errorf("err = %v, no-controller %v", err, tt.wantNoControl)
				}
				return
			}
			if got.expected != tt.want.expected || got.desired != tt.want.desired || len(got.unmanaged) != len(tt.want.unmanaged) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDisruptedPodsAndHealthy(t *testing.T) {
	now := time.Now()
	deleting := ownedPod("deleting", "", true)
	deleting.DeletionTimestamp = &metav1.Time{Time: now}
	pods := []*corev1.Pod{ownedPod("fresh", "", true), ownedPod("stale", "", true), deleting,
		ownedPod("ready", "", true), ownedPod("unready", "", false)}
	pdb := budget(nil, nil)
	pdb.Status.DisruptedPods = map[string]metav1.Time{
		"fresh":    {Time: now.Add(-30 * time.Second)},
		"stale":    {Time: now.Add(-3 * time.Minute)},
		"deleting": {Time: now},
		"gone":     {Time: now},
	}
	kept, expired, recheck := disruptedPods(pdb, pods, now)
	if _, ok := kept["fresh"]; len(kept) != 1 || !ok {
		t.Errorf("kept = %v, want only fresh", kept)
	}
	if len(expired) != 1 || expired[0] != "stale" {
		t.Errorf("expired = %v, want stale", expired)
	}
	if want := now.Add(-30 * time.Second).Add(DeletionTimeout); !recheck.Equal(want) {
		t.Errorf("recheck = %v, want %v", recheck, want)
	}
	// fresh is evicted, deleting is going, unready is not Ready: stale
	// and ready count.
	if got := healthy(pods, kept); got != 2 {
		t.Errorf("healthy = %d, want 2", got)
	}
	if kept, _, recheck := disruptedPods(budget(nil, nil), pods, now); kept != nil || !recheck.IsZero() {
		t.Errorf("no entries: got %v %v", kept, recheck)
	}
}

func TestNewStatus(t *testing.T) {
	tests := []struct {
		name    string
		e       expectation
		healthy int32
		allowed int32
		status  metav1.ConditionStatus
		reason  string
	}{
		{"more healthy than desired", expectation{expected: 3, desired: 2}, 3, 1, metav1.ConditionTrue, policyv1.SufficientPodsReason},
		{"exactly desired", expectation{expected: 3, desired: 3}, 3, 0, metav1.ConditionFalse, policyv1.InsufficientPodsReason},
		{"fewer than desired", expectation{expected: 3, desired: 3}, 1, 0, metav1.ConditionFalse, policyv1.InsufficientPodsReason},
		{"nothing expected allows nothing", expectation{expected: 0, desired: 0}, 2, 0, metav1.ConditionFalse, policyv1.InsufficientPodsReason},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newStatus(budget(nil, nil), tt.e, tt.healthy, nil)
			if st.DisruptionsAllowed != tt.allowed || st.CurrentHealthy != tt.healthy || st.DesiredHealthy != tt.e.desired ||
				st.ExpectedPods != tt.e.expected || st.ObservedGeneration != 3 {
				t.Errorf("status %+v", st)
			}
			c := meta.FindStatusCondition(st.Conditions, policyv1.DisruptionAllowedCondition)
			if c == nil || c.Status != tt.status || c.Reason != tt.reason || c.ObservedGeneration != 3 {
				t.Errorf("condition %+v", c)
			}
		})
	}
}

func TestConditionKeepsTransitionTime(t *testing.T) {
	pdb := budget(nil, nil)
	then := metav1.NewTime(time.Now().Add(-time.Hour).Truncate(time.Second))
	pdb.Status.Conditions = []metav1.Condition{{Type: policyv1.DisruptionAllowedCondition, Status: metav1.ConditionTrue,
		Reason: policyv1.SufficientPodsReason, LastTransitionTime: then}}
	st := newStatus(pdb, expectation{expected: 3, desired: 1}, 3, nil)
	if c := st.Conditions[0]; !c.LastTransitionTime.Equal(&then) {
		t.Errorf("an unchanged condition must keep its transition time: %v", c.LastTransitionTime)
	}
	if pdb.Status.Conditions[0].ObservedGeneration != 0 {
		t.Error("newStatus must not change the cached budget")
	}
	failed := failSafe(pdb, errors.New("found no controllers"))
	c := failed.Conditions[0]
	if failed.DisruptionsAllowed != 0 || c.Status != metav1.ConditionFalse || c.Reason != policyv1.SyncFailedReason ||
		c.Message != "found no controllers" || c.LastTransitionTime.Equal(&then) {
		t.Errorf("fail-safe status %+v", failed)
	}
}

func TestStaleDisruption(t *testing.T) {
	then := metav1.NewTime(time.Now().Add(-time.Minute).Truncate(time.Second))
	withCondition := func(status corev1.ConditionStatus, deleting bool) *corev1.Pod {
		p := ownedPod("p", "", true)
		p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: corev1.DisruptionTarget, Status: status, LastTransitionTime: then})
		if deleting {
			p.DeletionTimestamp = &then
		}
		return p
	}
	tests := []struct {
		name string
		pod  *corev1.Pod
		ok   bool
	}{
		{"true condition goes stale", withCondition(corev1.ConditionTrue, false), true},
		{"false condition never", withCondition(corev1.ConditionFalse, false), false},
		{"pod being deleted: the disruption took effect", withCondition(corev1.ConditionTrue, true), false},
		{"no condition", ownedPod("p", "", true), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, ok := staleDisruption(tt.pod)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if ok && !at.Equal(then.Add(StalePodDisruptionTimeout)) {
				t.Errorf("stale at %v", at)
			}
		})
	}
}
