package core

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var ctx = context.Background()

// fixedNow pins the package clock so stamped times are comparable.
var fixedNow = metav1.NewTime(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))

func init() { now = func() metav1.Time { return fixedNow } }

// create and update run an object through the handler's create and update
// steps, as in the other registry packages.
var (
	create = registrytest.Create
	update = registrytest.Update
)

// stored returns obj as the store would hold it after a successful create,
// with the fields the handler sets.
func stored(t *testing.T, s registry.Strategy, obj runtime.Object) runtime.Object {
	t.Helper()
	if errs := create(s, obj); len(errs) > 0 {
		t.Fatalf("fixture does not validate:\n%s", errorString(errs))
	}
	m := obj.(metav1.Object)
	m.SetResourceVersion("1")
	m.SetUID("uid-1")
	m.SetCreationTimestamp(metav1.NewTime(time.Now().Add(-2 * time.Hour)))
	return obj
}

func errorString(errs field.ErrorList) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString(e.Error())
		b.WriteString("\n")
	}
	return b.String()
}

// expectErrors checks that errs contains want ("" meaning no errors).
func expectErrors(t *testing.T, errs field.ErrorList, want string) {
	t.Helper()
	got := errorString(errs)
	if want == "" {
		if got != "" {
			t.Fatalf("want no errors, got:\n%s", got)
		}
		return
	}
	if !strings.Contains(got, want) {
		t.Fatalf("want an error containing\n  %s\ngot:\n%s", want, got)
	}
}

func objMeta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: "default"}
}
