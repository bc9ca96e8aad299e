package batch

import (
	"reflect"
	"testing"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

func TestResources(t *testing.T) {
	rs := Resources()
	if len(rs) != 2 {
		t.Fatalf("%d resources", len(rs))
	}
	want := map[string][]string{"jobs": nil, "cronjobs": {"cj"}}
	for _, r := range rs {
		short, ok := want[r.Plural]
		if !ok || r.GroupVersion.String() != "batch/v1" || !r.Namespaced || !reflect.DeepEqual(r.ShortNames, short) ||
			!reflect.DeepEqual(r.Categories, []string{"all"}) || !reflect.DeepEqual(r.Subresources, []string{"status"}) {
			t.Errorf("%s: %+v", r.Plural, r)
		}
		if reflect.TypeOf(r.New()).Elem().Name() != r.Kind || reflect.TypeOf(r.NewList()).Elem().Name() != r.Kind+"List" {
			t.Errorf("%s: New/NewList types", r.Plural)
		}
		if _, ok := r.Strategy.(registry.StatusStrategy); !ok {
			t.Errorf("%s: no StatusStrategy", r.Plural)
		}
	}
}
