package core

import (
	"testing"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"k8s.io/apimachinery/pkg/api/meta"
)

func TestResourcesDescriptors(t *testing.T) {
	want := map[string]struct {
		short      string
		namespaced bool
		subs       []string
	}{
		"namespaces":             {"ns", false, []string{"status", "finalize"}},
		"pods":                   {"po", true, []string{"status", "binding", "eviction"}},
		"services":               {"svc", true, []string{"status"}},
		"endpoints":              {"ep", true, nil},
		"nodes":                  {"no", false, []string{"status"}},
		"configmaps":             {"cm", true, nil},
		"secrets":                {"", true, nil},
		"serviceaccounts":        {"sa", true, []string{"token"}},
		"events":                 {"ev", true, nil},
		"persistentvolumes":      {"pv", false, []string{"status"}},
		"persistentvolumeclaims": {"pvc", true, []string{"status"}},
		"limitranges":            {"limits", true, nil},
		"resourcequotas":         {"quota", true, []string{"status"}},
		"podtemplates":           {"", true, nil},
		"replicationcontrollers": {"rc", true, []string{"status", "scale"}},
	}
	got := map[string]*registry.Resource{}
	for _, r := range Resources() {
		got[r.Plural] = r
	}
	if len(got) != len(want) {
		t.Errorf("Resources() has %d kinds, want %d", len(got), len(want))
	}
	for plural, w := range want {
		r := got[plural]
		if r == nil {
			t.Errorf("%s missing", plural)
			continue
		}
		if r.GroupVersion.String() != "v1" {
			t.Errorf("%s: group version %q", plural, r.GroupVersion)
		}
		if w.short != "" && (len(r.ShortNames) == 0 || r.ShortNames[0] != w.short) {
			t.Errorf("%s: short names %v, want %s", plural, r.ShortNames, w.short)
		}
		if r.Namespaced != w.namespaced {
			t.Errorf("%s: namespaced = %v", plural, r.Namespaced)
		}
		for _, s := range w.subs {
			if !r.HasSubresource(s) {
				t.Errorf("%s: missing subresource %s", plural, s)
			}
		}
		if r.Strategy == nil || r.New == nil || r.NewList == nil {
			t.Errorf("%s: incomplete descriptor", plural)
			continue
		}
		// New must give the Kind's Go type; lists must be lists.
		if _, err := meta.Accessor(r.New()); err != nil {
			t.Errorf("%s: New() is not an object: %v", plural, err)
		}
		if !meta.IsListType(r.NewList()) {
			t.Errorf("%s: NewList() is not a list", plural)
		}
		// One cell per column, even for an empty object.
		cols, row := r.Strategy.TableColumns(), r.Strategy.TableRow(r.New())
		if len(cols) != len(row) {
			t.Errorf("%s: %d columns but %d cells", plural, len(cols), len(row))
		}
		for _, c := range cols {
			// A kind may place NAME itself only with the "name" format,
			// which tells the handler not to add it first.
			if c.Name == "Name" && c.Format != "name" {
				t.Errorf("%s: NAME is the handler's column unless its format is \"name\"", plural)
			}
		}
		f := r.Strategy.SelectableFields(r.New())
		if _, ok := f["metadata.name"]; !ok {
			t.Errorf("%s: metadata.name not selectable", plural)
		}
	}
	for _, plural := range []string{"pods", "services", "replicationcontrollers"} {
		if r := got[plural]; r == nil || len(r.Categories) == 0 || r.Categories[0] != "all" {
			t.Errorf("%s: not in category all", plural)
		}
	}
}

// TestUpperCaseNamesRefused covers every kind: names are lower case.
func TestUpperCaseNamesRefused(t *testing.T) {
	for _, r := range Resources() {
		t.Run(r.Plural, func(t *testing.T) {
			obj := r.New()
			m, _ := meta.Accessor(obj)
			m.SetName("Web")
			if r.Namespaced {
				m.SetNamespace("default")
			}
			want := `metadata.name: Invalid value: "Web": a lowercase RFC 1123 subdomain must consist of`
			if r.Plural == "namespaces" || r.Plural == "services" {
				want = `metadata.name: Invalid value: "Web": a lowercase RFC 1123 label must consist of`
			}
			expectErrors(t, create(r.Strategy, obj), want)
		})
	}
}
