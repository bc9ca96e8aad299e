package networking

import (
	"context"
	"fmt"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// wantErr names an expected validation error by type and field path.
type wantErr struct {
	Type  field.ErrorType
	Field string
}

func (w wantErr) String() string { return fmt.Sprintf("%s %s", w.Field, w.Type) }

// create runs the create pipeline the handler runs, in its order.
func create(s registry.Strategy, obj runtime.Object) field.ErrorList {
	ctx := context.Background()
	s.PrepareForCreate(ctx, obj)
	s.Default(obj)
	return s.Validate(ctx, obj)
}

// update runs the update pipeline the handler runs, in its order.
func update(s registry.Strategy, obj, old runtime.Object) field.ErrorList {
	ctx := context.Background()
	s.PrepareForUpdate(ctx, obj, old)
	s.Default(obj)
	return s.ValidateUpdate(ctx, obj, old)
}

// checkErrors fails unless errs holds exactly the wanted (type, field)
// pairs, in any order; want empty means the object must be valid.
func checkErrors(t *testing.T, errs field.ErrorList, want ...wantErr) {
	t.Helper()
	got := map[wantErr]int{}
	for _, e := range errs {
		got[wantErr{e.Type, e.Field}]++
	}
	for _, w := range want {
		if got[w] == 0 {
			t.Errorf("missing error %v; got %v", w, errs)
		}
		delete(got, w)
	}
	for w := range got {
		t.Errorf("unexpected error %v; all: %v", w, errs)
	}
}

// meta is the ObjectMeta of a namespaced test object.
func meta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: "default", UID: "0c1d2e3f-0000-4000-8000-000000000001", ResourceVersion: "1"}
}

// checkTable checks a strategy's row has one cell per column and the
// expected cells, ignoring the AGE cell (it depends on the clock).
func checkTable(t *testing.T, s registry.Strategy, obj runtime.Object, want []interface{}) {
	t.Helper()
	cols, row := s.TableColumns(), s.TableRow(obj)
	if len(cols) != len(row) {
		t.Fatalf("%d columns but %d cells", len(cols), len(row))
	}
	if len(want) != len(row) {
		t.Fatalf("want %d cells, got %d: %#v", len(want), len(row), row)
	}
	for i := range row {
		if cols[i].Name == "Age" {
			continue
		}
		if fmt.Sprintf("%T %v", row[i], row[i]) != fmt.Sprintf("%T %v", want[i], want[i]) {
			t.Errorf("cell %d (%s) = %T %v, want %T %v", i, cols[i].Name, row[i], row[i], want[i], want[i])
		}
	}
}

// columnNames lists column names, wide ones suffixed with "*".
func columnNames(s registry.Strategy) []string {
	var names []string
	for _, c := range s.TableColumns() {
		n := c.Name
		if c.Priority > 0 {
			n += "*"
		}
		names = append(names, n)
	}
	return names
}

// metaCluster is the ObjectMeta of a cluster-scoped test object.
func metaCluster(name string) metav1.ObjectMeta {
	m := meta(name)
	m.Namespace = ""
	return m
}
