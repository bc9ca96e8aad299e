package storage

import (
	"testing"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// Callers own the top level of what they get: setting metadata on a copy
// must never show through to the cached original.
func TestCopiesOwnTheirTopLevel(t *testing.T) {
	typed := &v1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "a", ResourceVersion: "5"}}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.com/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "a", "resourceVersion": "5"},
	}}
	for _, obj := range []runtime.Object{typed, u} {
		c := withRevision(obj, 9)
		c.GetObjectKind().SetGroupVersionKind(v1.SchemeGroupVersion.WithKind("Other"))
		if resourceVersionOf(obj) != "5" || resourceVersionOf(c) != "9" {
			t.Fatalf("%T: original rv %s, copy rv %s", obj, resourceVersionOf(obj), resourceVersionOf(c))
		}
		if obj.GetObjectKind().GroupVersionKind().Kind == "Other" {
			t.Fatalf("%T: setting the copy's kind changed the original", obj)
		}
	}

	ul := &unstructured.UnstructuredList{}
	lb, err := newListBuilder(ul)
	if err != nil {
		t.Fatal(err)
	}
	if err := lb.set([]runtime.Object{u}); err != nil {
		t.Fatal(err)
	}
	ul.Items[0].SetResourceVersion("7")
	if resourceVersionOf(u) != "5" {
		t.Fatal("changing a listed unstructured item changed the original")
	}
}
