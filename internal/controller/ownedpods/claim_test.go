package ownedpods

import (
	"context"
	"errors"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
)

func TestDecide(t *testing.T) {
	owner := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "rs", UID: "u1"}}
	deleting := owner.DeepCopy()
	now := metav1.Now()
	deleting.DeletionTimestamp = &now
	yes := true
	ownedBy := func(uid types.UID) podOpt {
		return func(p *corev1.Pod) {
			p.OwnerReferences = []metav1.OwnerReference{{UID: uid, Name: "x", Kind: "ReplicaSet", Controller: &yes}}
		}
	}
	cases := []struct {
		name    string
		owner   *appsv1.ReplicaSet
		pod     *corev1.Pod
		matches bool
		want    Claim
	}{
		{"ours and matching", owner, mkPod("p", ownedBy("u1")), true, Keep},
		{"ours, no longer matching", owner, mkPod("p", ownedBy("u1")), false, Release},
		{"ours, owner deleting", deleting, mkPod("p", ownedBy("u1")), false, Ignore},
		{"another controller's", owner, mkPod("p", ownedBy("u2")), true, Ignore},
		{"orphan matching", owner, mkPod("p"), true, Adopt},
		{"orphan not matching", owner, mkPod("p"), false, Ignore},
		{"orphan, owner deleting", deleting, mkPod("p"), true, Ignore},
		{"orphan being deleted", owner, mkPod("p", func(p *corev1.Pod) { p.DeletionTimestamp = &now }), true, Ignore},
	}
	for _, c := range cases {
		if got := Decide(c.owner, c.pod, c.matches); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestClaimer(t *testing.T) {
	owner := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "rs", Namespace: "ns", UID: "u1"}}
	gvk := appsv1.SchemeGroupVersion.WithKind("ReplicaSet")
	yes := true
	ownedBy := func(uid types.UID) podOpt {
		return func(p *corev1.Pod) {
			p.OwnerReferences = []metav1.OwnerReference{{UID: uid, Name: "x", Kind: "ReplicaSet", Controller: &yes}}
		}
	}
	relabel := func(p *corev1.Pod) { p.Labels = map[string]string{"app": "other"} }
	children := []*corev1.Pod{
		mkPod("kept", ownedBy("u1")),
		mkPod("orphan"),
		mkPod("released", ownedBy("u1"), relabel),
		mkPod("theirs", ownedBy("u2")),
		mkPod("orphan-gone"),
		mkPod("orphan-failing"),
	}
	gone := apierrors.NewNotFound(corev1.Resource("pods"), "orphan-gone")

	cases := []struct {
		name        string
		canAdopt    error
		wantClaimed []string
		wantPatched []string
		wantErr     bool
	}{
		{"owner fine", nil, []string{"kept", "orphan"}, []string{"orphan", "released", "orphan-gone", "orphan-failing"}, true},
		{"owner gone: no adoption, release still runs", errors.New("gone"), []string{"kept"}, []string{"released"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var patched []string
			rechecks := 0
			claimer := Claimer[*corev1.Pod]{
				Owner: owner, GVK: gvk, Selector: labels.SelectorFromSet(labels.Set{"app": "a"}),
				CanAdopt: func(context.Context) error { rechecks++; return c.canAdopt },
				Patch: func(_ context.Context, pod *corev1.Pod, patch []byte) error {
					patched = append(patched, pod.Name)
					want := AdoptPatch(owner, gvk, pod)
					if pod.Name == "released" {
						want = ReleasePatch(owner, pod)
					}
					if string(patch) != string(want) {
						t.Errorf("%s patched with %s, want %s", pod.Name, patch, want)
					}
					switch pod.Name {
					case "orphan-gone":
						return gone
					case "orphan-failing":
						return errors.New("boom")
					}
					return nil
				},
			}
			claimed, err := claimer.Claim(context.Background(), children)
			if got := names(claimed); !slices.Equal(got, c.wantClaimed) {
				t.Errorf("claimed %v, want %v", got, c.wantClaimed)
			}
			if !slices.Equal(patched, c.wantPatched) {
				t.Errorf("patched %v, want %v", patched, c.wantPatched)
			}
			if (err != nil) != c.wantErr {
				t.Errorf("err %v, want an error: %v", err, c.wantErr)
			}
			if rechecks != 1 {
				t.Errorf("owner rechecked %d times, want once per claim", rechecks)
			}
		})
	}
}

func TestRecheckOwner(t *testing.T) {
	owner := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "rs", UID: "u1"}}
	replaced := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "rs", UID: "u2"}}
	deleting := owner.DeepCopy()
	now := metav1.Now()
	deleting.DeletionTimestamp = &now
	cases := []struct {
		name    string
		fresh   metav1.Object
		getErr  error
		wantErr bool
	}{
		{"same and alive", owner, nil, false},
		{"replaced", replaced, nil, true},
		{"being deleted", deleting, nil, true},
		{"read fails", nil, errors.New("unavailable"), true},
	}
	for _, c := range cases {
		check := RecheckOwner(owner, func(context.Context) (metav1.Object, error) { return c.fresh, c.getErr })
		if err := check(context.Background()); (err != nil) != c.wantErr {
			t.Errorf("%s: err %v, want an error: %v", c.name, err, c.wantErr)
		}
	}
}
