package admissionregistration

import (
	"reflect"
	"testing"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func TestResources(t *testing.T) {
	rs := Resources()
	want := []string{"mutatingwebhookconfigurations", "validatingwebhookconfigurations"}
	if len(rs) != len(want) {
		t.Fatalf("%d resources", len(rs))
	}
	for i, r := range rs {
		if r.Plural != want[i] || r.Namespaced || r.GroupVersion.String() != "admissionregistration.k8s.io/v1" ||
			!reflect.DeepEqual(r.Categories, []string{"api-extensions"}) {
			t.Errorf("%+v", r)
		}
		if r.New().GetObjectKind() == nil || r.NewList() == nil {
			t.Errorf("%s: New/NewList", r.Plural)
		}
	}
}

func TestTable(t *testing.T) {
	for _, s := range []registry.Strategy{newMutatingStrategy(), newValidatingStrategy()} {
		if got := registrytest.ColumnNames(s); !reflect.DeepEqual(got, []string{"Webhooks", "Age"}) {
			t.Errorf("columns = %v", got)
		}
	}
	registrytest.CheckTable(t, newValidatingStrategy(), validating(validHook(), validHook()), []interface{}{int64(2), ""})
	registrytest.CheckTable(t, newMutatingStrategy(), mutating(asMutating(validHook())), []interface{}{int64(1), ""})
}
