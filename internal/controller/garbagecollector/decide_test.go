package garbagecollector

import (
	"encoding/json"
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

func ref(uid string, block bool) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: "o-" + uid, UID: types.UID(uid), BlockOwnerDeletion: &block}
}

func TestDecide(t *testing.T) {
	a, b := ref("a", false), ref("b", true)
	orphanF := []string{metav1.FinalizerOrphanDependents}
	fgF := []string{metav1.FinalizerDeleteDependents}
	tests := []struct {
		name          string
		refs          []metav1.OwnerReference
		states        map[types.UID]ownerState
		finalizers    []string
		hasDeps, depW bool
		want          action
	}{
		{"no owners", nil, nil, nil, false, false, action{verdict: keep}},
		{"solid owner", []metav1.OwnerReference{a}, map[types.UID]ownerState{"a": solid}, nil, false, false, action{verdict: keep}},
		{"owner gone", []metav1.OwnerReference{a}, map[types.UID]ownerState{"a": dangling}, nil, false, false,
			action{verdict: deleteIt, policy: metav1.DeletePropagationBackground}},
		{"owner gone, own orphan finalizer", []metav1.OwnerReference{a}, map[types.UID]ownerState{"a": dangling}, orphanF, false, false,
			action{verdict: deleteIt, policy: metav1.DeletePropagationOrphan}},
		{"owner gone, own foreground finalizer", []metav1.OwnerReference{a}, map[types.UID]ownerState{"a": dangling}, fgF, true, false,
			action{verdict: deleteIt, policy: metav1.DeletePropagationForeground}},
		{"one owner gone, one solid", []metav1.OwnerReference{a, b}, map[types.UID]ownerState{"a": dangling, "b": solid}, nil, false, false,
			action{verdict: removeRefs, remove: []types.UID{"a"}}},
		{"one owner waiting, one solid", []metav1.OwnerReference{a, b}, map[types.UID]ownerState{"a": solid, "b": waiting}, nil, true, false,
			action{verdict: removeRefs, remove: []types.UID{"b"}}},
		{"owner waiting, no dependents", []metav1.OwnerReference{b}, map[types.UID]ownerState{"b": waiting}, nil, false, false,
			action{verdict: deleteIt, policy: metav1.DeletePropagationBackground}},
		{"owner waiting, has dependents", []metav1.OwnerReference{b}, map[types.UID]ownerState{"b": waiting}, nil, true, false,
			action{verdict: deleteIt, policy: metav1.DeletePropagationForeground}},
		{"owner waiting, a dependent waits too", []metav1.OwnerReference{b}, map[types.UID]ownerState{"b": waiting}, nil, true, true,
			action{verdict: unblockThen, policy: metav1.DeletePropagationForeground}},
		{"all owners gone or waiting", []metav1.OwnerReference{a, b}, map[types.UID]ownerState{"a": dangling, "b": waiting}, nil, true, false,
			action{verdict: deleteIt, policy: metav1.DeletePropagationForeground}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decide(tt.refs, tt.states, tt.finalizers, tt.hasDeps, tt.depW)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("decide = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestStateOf(t *testing.T) {
	now := metav1.Now()
	obj := func(uid string, deleting bool, finalizers ...string) *metav1.PartialObjectMetadata {
		m := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{UID: types.UID(uid), Finalizers: finalizers}}
		if deleting {
			m.DeletionTimestamp = &now
		}
		return m
	}
	tests := []struct {
		name string
		m    *metav1.PartialObjectMetadata
		want ownerState
	}{
		{"absent", nil, dangling},
		{"replaced", obj("other", false), dangling},
		{"there", obj("u", false), solid},
		{"deleted in background", obj("u", true), solid},
		{"orphaning", obj("u", true, metav1.FinalizerOrphanDependents), solid},
		{"deleted in foreground", obj("u", true, metav1.FinalizerDeleteDependents), waiting},
		{"foreground finalizer, not yet deleted", obj("u", false, metav1.FinalizerDeleteDependents), solid},
	}
	for _, tt := range tests {
		if got := stateOf(tt.m, "u"); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestBlockingAndChangedOwners(t *testing.T) {
	a, b := ref("a", false), ref("b", true)
	deps := []dependent{
		{obj: &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Name: "x", OwnerReferences: []metav1.OwnerReference{a}}}},
		{obj: &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Name: "y", OwnerReferences: []metav1.OwnerReference{a, b}}}},
	}
	if got := blocking(deps, "a"); len(got) != 0 {
		t.Errorf("blocking(a) = %d, want 0", len(got))
	}
	if got := blocking(deps, "b"); len(got) != 1 || got[0].obj.Name != "y" {
		t.Errorf("blocking(b) = %v, want y", got)
	}
	unblocked := ref("b", false)
	tests := []struct {
		before, after []metav1.OwnerReference
		want          int
	}{
		{[]metav1.OwnerReference{a, b}, []metav1.OwnerReference{a, b}, 0},
		{[]metav1.OwnerReference{a, b}, []metav1.OwnerReference{a}, 1},
		{[]metav1.OwnerReference{a, b}, []metav1.OwnerReference{a, unblocked}, 1},
		{[]metav1.OwnerReference{a}, []metav1.OwnerReference{a, b}, 0},
	}
	for i, tt := range tests {
		if got := changedOwners(tt.before, tt.after); len(got) != tt.want {
			t.Errorf("%d: changedOwners = %v, want %d", i, got, tt.want)
		}
	}
}

func TestPatches(t *testing.T) {
	m := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{
		UID: "self", ResourceVersion: "7",
		OwnerReferences: []metav1.OwnerReference{ref("a", false), ref("b", true)},
		Finalizers:      []string{metav1.FinalizerDeleteDependents, "example.com/x"},
	}}
	decode := func(data []byte) map[string]any {
		var out map[string]any
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatal(err)
		}
		return out["metadata"].(map[string]any)
	}

	data, ok := removeRefsPatch(m, []types.UID{"a"})
	md := decode(data)
	if !ok || md["uid"] != "self" || md["resourceVersion"] != "7" || len(md["ownerReferences"].([]any)) != 1 || md["finalizers"] != nil {
		t.Errorf("removeRefsPatch: %s", data)
	}
	data, ok = removeRefsPatch(m, []types.UID{"a", "b"})
	if md := decode(data); !ok || md["ownerReferences"] != nil {
		t.Errorf("removing every reference must send null: %s", data)
	}
	if _, has := decode(data)["ownerReferences"]; !has {
		t.Errorf("removing every reference must send the field: %s", data)
	}
	if _, ok := removeRefsPatch(m, []types.UID{"zzz"}); ok {
		t.Error("removing an absent reference is no patch")
	}

	data, ok = unblockPatch(m)
	refs := decode(data)["ownerReferences"].([]any)
	if !ok || len(refs) != 2 || refs[1].(map[string]any)["blockOwnerDeletion"] != false {
		t.Errorf("unblockPatch: %s", data)
	}
	if _, ok := unblockPatch(&metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{OwnerReferences: []metav1.OwnerReference{ref("a", false)}}}); ok {
		t.Error("nothing to unblock is no patch")
	}

	data, ok = removeFinalizerPatch(m, metav1.FinalizerDeleteDependents)
	fs := decode(data)["finalizers"].([]any)
	if !ok || len(fs) != 1 || fs[0] != "example.com/x" || decode(data)["ownerReferences"] != nil {
		t.Errorf("removeFinalizerPatch: %s", data)
	}
	if _, ok := removeFinalizerPatch(m, metav1.FinalizerOrphanDependents); ok {
		t.Error("removing an absent finalizer is no patch")
	}
}

func TestKeys(t *testing.T) {
	for _, tt := range []struct{ gr, ns, name string }{{"replicasets.apps", "ns", "r"}, {"pods", "ns", "p"}, {"nodes", "", "n"}} {
		gr, ns, name, err := parseKey(key(schema.ParseGroupResource(tt.gr), tt.ns, tt.name))
		if err != nil || gr.String() != tt.gr || ns != tt.ns || name != tt.name {
			t.Errorf("round trip of %v: %v %q %q %v", tt, gr, ns, name, err)
		}
	}
}
