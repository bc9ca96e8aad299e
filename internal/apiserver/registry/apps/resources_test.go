package apps

import (
	"reflect"
	"testing"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

func TestResources(t *testing.T) {
	want := map[string]struct {
		kind  string
		short []string
		cats  []string
		subs  []string
	}{
		"deployments":         {"Deployment", []string{"deploy"}, []string{"all"}, []string{"status", "scale"}},
		"replicasets":         {"ReplicaSet", []string{"rs"}, []string{"all"}, []string{"status", "scale"}},
		"statefulsets":        {"StatefulSet", []string{"sts"}, []string{"all"}, []string{"status", "scale"}},
		"daemonsets":          {"DaemonSet", []string{"ds"}, []string{"all"}, []string{"status"}},
		"controllerrevisions": {"ControllerRevision", nil, nil, nil},
	}
	rs := Resources()
	if len(rs) != len(want) {
		t.Fatalf("%d resources, want %d", len(rs), len(want))
	}
	for _, r := range rs {
		w, ok := want[r.Plural]
		if !ok {
			t.Errorf("unexpected resource %s", r.Plural)
			continue
		}
		if r.GroupVersion.String() != "apps/v1" || r.Kind != w.kind || !r.Namespaced ||
			!reflect.DeepEqual(r.ShortNames, w.short) || !reflect.DeepEqual(r.Categories, w.cats) || !reflect.DeepEqual(r.Subresources, w.subs) {
			t.Errorf("%s: %+v", r.Plural, r)
		}
		checkDescriptor(t, r)
	}
}

// checkDescriptor checks the parts every descriptor must get right: New and
// NewList return the kind's types, and the strategy's status support matches
// the /status subresource.
func checkDescriptor(t *testing.T, r *registry.Resource) {
	t.Helper()
	if got := reflect.TypeOf(r.New()).Elem().Name(); got != r.Kind {
		t.Errorf("%s: New returns %s", r.Plural, got)
	}
	if got := reflect.TypeOf(r.NewList()).Elem().Name(); got != r.Kind+"List" {
		t.Errorf("%s: NewList returns %s", r.Plural, got)
	}
	if r.Singular == "" || r.Strategy == nil {
		t.Errorf("%s: incomplete descriptor", r.Plural)
	}
	if _, ok := r.Strategy.(registry.StatusStrategy); r.HasSubresource("status") && !ok {
		t.Errorf("%s: /status without a StatusStrategy", r.Plural)
	}
}
