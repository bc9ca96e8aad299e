package registrytest

import (
	"context"
	"fmt"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// WantErr names an expected validation error by type and field path.
type WantErr struct {
	Type  field.ErrorType
	Field string
}

func (w WantErr) String() string { return fmt.Sprintf("%s %s", w.Field, w.Type) }

// Create runs the create pipeline the handler runs, in its order.
func Create(s registry.Strategy, obj runtime.Object) field.ErrorList {
	ctx := context.Background()
	s.PrepareForCreate(ctx, obj)
	s.Default(obj)
	return s.Validate(ctx, obj)
}

// Update runs the update pipeline the handler runs, in its order; old is
// what was stored.
func Update(s registry.Strategy, obj, old runtime.Object) field.ErrorList {
	ctx := context.Background()
	s.PrepareForUpdate(ctx, obj, old)
	s.Default(obj)
	return s.ValidateUpdate(ctx, obj, old)
}

// CheckErrors fails unless errs holds exactly the wanted (type, field)
// pairs, in any order; want empty means the object must be valid.
func CheckErrors(t testing.TB, errs field.ErrorList, want ...WantErr) {
	t.Helper()
	got := map[WantErr]int{}
	for _, e := range errs {
		got[WantErr{e.Type, e.Field}]++
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

// CheckTable checks a strategy's row has one cell per column and the
// expected cells, ignoring the AGE cell (it depends on the clock).
func CheckTable(t testing.TB, s registry.Strategy, obj runtime.Object, want []interface{}) {
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

// ColumnNames lists column names, wide ones suffixed with "*".
func ColumnNames(s registry.Strategy) []string {
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
