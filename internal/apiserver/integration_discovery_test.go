package apiserver_test

import (
	"testing"

	"k8s.io/client-go/discovery"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/builtin"
)

// TestAggregatedDiscovery: client-go's discovery client (which asks for
// apidiscovery.k8s.io/v2 first, as kubectl does) finds every served
// resource with its verbs, short names and subresources.
func TestAggregatedDiscovery(t *testing.T) {
	s := server(t)
	dc, err := discovery.NewDiscoveryClientForConfig(s.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	dc.UseLegacyDiscovery = false
	groups, lists, err := dc.ServerGroupsAndResources()
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	if len(groups) == 0 {
		t.Fatal("no groups")
	}
	served := map[string]map[string]bool{} // group version -> resource names
	shortNames := map[string][]string{}
	for _, l := range lists {
		served[l.GroupVersion] = map[string]bool{}
		for _, r := range l.APIResources {
			served[l.GroupVersion][r.Name] = true
			if len(r.ShortNames) > 0 {
				shortNames[l.GroupVersion+"/"+r.Name] = r.ShortNames
			}
			if l.GroupVersion == "v1" && r.Name == "pods" && len(r.Verbs) != 8 { // metrics.k8s.io has pods too
				t.Errorf("pods verbs %v", r.Verbs)
			}
		}
	}
	for _, res := range builtin.Resources() {
		gv := res.GroupVersion.String()
		if !served[gv][res.Plural] {
			t.Errorf("%s %s missing from discovery", gv, res.Plural)
		}
		for _, sub := range res.Subresources {
			if !served[gv][res.Plural+"/"+sub] {
				t.Errorf("%s %s/%s missing from discovery", gv, res.Plural, sub)
			}
		}
		if got := shortNames[gv+"/"+res.Plural]; !equalStrings(got, res.ShortNames) {
			t.Errorf("%s %s short names %v, want %v", gv, res.Plural, got, res.ShortNames)
		}
	}
	if !served["v1"]["componentstatuses"] {
		t.Error("componentstatuses missing")
	}
	// The legacy form agrees.
	dc.UseLegacyDiscovery = true
	_, legacy, err := dc.ServerGroupsAndResources()
	if err != nil {
		t.Fatalf("legacy discovery: %v", err)
	}
	n := 0
	for _, l := range legacy {
		n += len(l.APIResources)
	}
	m := 0
	for _, l := range lists {
		m += len(l.APIResources)
	}
	if n != m {
		t.Errorf("legacy discovery lists %d resources, aggregated %d", n, m)
	}
}
