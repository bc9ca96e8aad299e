package dns

import (
	"testing"

	mdns "github.com/miekg/dns"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

func TestIndexerReusesUnchangedServices(t *testing.T) {
	pg := []discoveryv1.EndpointPort{slicePort("pg", corev1.ProtocolTCP, 5432)}
	web := svc("default", "web", "10.43.0.20")
	web.ResourceVersion = "1"
	db := svc("default", "db", corev1.ClusterIPNone)
	db.ResourceVersion = "2"
	dbSlice := slice("default", "db", "db-1", pg, ep{ip: "10.42.0.5", hostname: "db-0"})
	dbSlice.ResourceVersion = "3"
	ix := newIndexer("cluster.local", 5)
	first := ix.build(1, []*corev1.Service{web, db}, []*discoveryv1.EndpointSlice{dbSlice})

	// The slice changes: db is indexed again, web is reused.
	moved := slice("default", "db", "db-1", pg, ep{ip: "10.42.0.6", hostname: "db-0"})
	moved.ResourceVersion = "4"
	second := ix.build(2, []*corev1.Service{web, db}, []*discoveryv1.EndpointSlice{moved})
	if first.services["web.default"] != second.services["web.default"] {
		t.Errorf("unchanged service indexed again")
	}
	if first.services["db.default"] == second.services["db.default"] {
		t.Fatalf("changed service reused")
	}
	r := Answer(second, query("db-0.db.default.svc.cluster.local.", mdns.TypeA))
	if got := shorts(r.Msg.Answer); len(got) != 1 || got[0] != "db-0.db.default.svc.cluster.local. A 10.42.0.6" {
		t.Errorf("after the change: %q", got)
	}
	if _, ok := second.reverse["5.0.42.10.in-addr.arpa."]; ok {
		t.Errorf("old endpoint's PTR kept")
	}
	if second.reverse["20.0.43.10.in-addr.arpa."] != "web.default.svc.cluster.local." {
		t.Errorf("reused service lost its PTR: %v", second.reverse)
	}

	// A deleted slice, then a deleted service, go.
	third := ix.build(3, []*corev1.Service{web, db}, nil)
	if got := Answer(third, query("db.default.svc.cluster.local.", mdns.TypeA)); len(got.Msg.Answer) != 0 {
		t.Errorf("deleted slice still answered: %v", got.Msg.Answer)
	}
	fourth := ix.build(4, []*corev1.Service{db}, nil)
	if got := Answer(fourth, query("web.default.svc.cluster.local.", mdns.TypeA)); got.Msg.Rcode != mdns.RcodeNameError {
		t.Errorf("deleted service still answered: %v", got.Msg)
	}
	if len(ix.entries) != 1 {
		t.Errorf("%d entries kept, want 1", len(ix.entries))
	}
}
