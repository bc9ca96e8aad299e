package storagegroup

import (
	"testing"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

func TestResources(t *testing.T) {
	want := map[string]struct {
		namespaced bool
		status     bool
	}{
		"csidrivers": {}, "csinodes": {status: true}, "csistoragecapacities": {namespaced: true},
		"storageclasses": {}, "volumeattachments": {status: true},
	}
	rs := Resources()
	if len(rs) != len(want) {
		t.Fatalf("%d resources, want %d", len(rs), len(want))
	}
	for _, r := range rs {
		w, ok := want[r.Plural]
		if !ok || r.GroupVersion.String() != "storage.k8s.io/v1" || r.Namespaced != w.namespaced || r.HasSubresource("status") != w.status {
			t.Errorf("%s: %+v", r.Plural, r)
		}
		if _, isStatus := r.Strategy.(registry.StatusStrategy); w.status && !isStatus {
			t.Errorf("%s: strategy has no status behaviour", r.Plural)
		}
		if r.New() == nil || r.NewList() == nil {
			t.Errorf("%s: no constructors", r.Plural)
		}
	}
}
