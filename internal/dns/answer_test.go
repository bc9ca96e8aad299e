package dns

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"

	mdns "github.com/miekg/dns"
)

func TestAnswer(t *testing.T) {
	s := fixture()
	const soa = "cluster.local. SOA ns.dns.cluster.local. hostmaster.cluster.local. 42 7200 1800 86400 5"
	tests := []struct {
		name   string
		qname  string
		qtype  uint16
		action Action
		rcode  int
		answer []string
		extra  []string
		soa    bool // the SOA in the authority section
	}{
		// Services.
		{name: "service A", qname: "web.default.svc.cluster.local.", qtype: mdns.TypeA,
			answer: []string{"web.default.svc.cluster.local. A 10.43.0.20"}},
		{name: "no trailing dot", qname: "web.default.svc.cluster.local", qtype: mdns.TypeA,
			answer: []string{"web.default.svc.cluster.local. A 10.43.0.20"}},
		{name: "case-insensitive, case kept", qname: "WEB.Default.SVC.cluster.LOCAL.", qtype: mdns.TypeA,
			answer: []string{"WEB.Default.SVC.cluster.LOCAL. A 10.43.0.20"}},
		{name: "service AAAA of a single-stack service: NODATA", qname: "web.default.svc.cluster.local.", qtype: mdns.TypeAAAA, soa: true},
		{name: "service TXT: NODATA", qname: "web.default.svc.cluster.local.", qtype: mdns.TypeTXT, soa: true},
		{name: "dual-stack A", qname: "dual.default.svc.cluster.local.", qtype: mdns.TypeA,
			answer: []string{"dual.default.svc.cluster.local. A 10.43.0.21"}},
		{name: "dual-stack AAAA", qname: "dual.default.svc.cluster.local.", qtype: mdns.TypeAAAA,
			answer: []string{"dual.default.svc.cluster.local. AAAA fd00::21"}},
		{name: "kube-dns itself", qname: "kube-dns.kube-system.svc.cluster.local.", qtype: mdns.TypeA,
			answer: []string{"kube-dns.kube-system.svc.cluster.local. A 10.43.0.10"}},
		{name: "unknown service: NXDOMAIN", qname: "nope.default.svc.cluster.local.", qtype: mdns.TypeA, rcode: mdns.RcodeNameError, soa: true},
		{name: "service in another namespace: NXDOMAIN", qname: "web.other.svc.cluster.local.", qtype: mdns.TypeA, rcode: mdns.RcodeNameError, soa: true},
		{name: "slice without its service is ignored", qname: "db.other.svc.cluster.local.", qtype: mdns.TypeA, rcode: mdns.RcodeNameError, soa: true},

		// Headless services and their endpoints.
		{name: "headless A: ready endpoints only", qname: "db.default.svc.cluster.local.", qtype: mdns.TypeA,
			answer: []string{"db.default.svc.cluster.local. A 10.42.0.5", "db.default.svc.cluster.local. A 10.42.1.6", "db.default.svc.cluster.local. A 10.42.2.7"}},
		{name: "headless AAAA", qname: "db.default.svc.cluster.local.", qtype: mdns.TypeAAAA,
			answer: []string{"db.default.svc.cluster.local. AAAA fd00:42::5"}},
		{name: "headless without endpoints: NODATA", qname: "empty.default.svc.cluster.local.", qtype: mdns.TypeA, soa: true},
		{name: "endpoint by hostname", qname: "db-1.db.default.svc.cluster.local.", qtype: mdns.TypeA,
			answer: []string{"db-1.db.default.svc.cluster.local. A 10.42.1.6"}},
		{name: "endpoint by hostname, both families", qname: "db-0.db.default.svc.cluster.local.", qtype: mdns.TypeAAAA,
			answer: []string{"db-0.db.default.svc.cluster.local. AAAA fd00:42::5"}},
		{name: "endpoint by dashed address", qname: "10-42-2-7.db.default.svc.cluster.local.", qtype: mdns.TypeA,
			answer: []string{"10-42-2-7.db.default.svc.cluster.local. A 10.42.2.7"}},
		{name: "not-ready endpoint: NXDOMAIN", qname: "db-3.db.default.svc.cluster.local.", qtype: mdns.TypeA, rcode: mdns.RcodeNameError, soa: true},
		{name: "endpoint of a ClusterIP service", qname: "10-42-0-9.web.default.svc.cluster.local.", qtype: mdns.TypeA,
			answer: []string{"10-42-0-9.web.default.svc.cluster.local. A 10.42.0.9"}},

		// SRV.
		{name: "SRV of a named port", qname: "_http._tcp.web.default.svc.cluster.local.", qtype: mdns.TypeSRV,
			answer: []string{"_http._tcp.web.default.svc.cluster.local. SRV 0 100 80 web.default.svc.cluster.local."},
			extra:  []string{"web.default.svc.cluster.local. A 10.43.0.20"}},
		{name: "SRV over UDP", qname: "_dns._udp.web.default.svc.cluster.local.", qtype: mdns.TypeSRV,
			answer: []string{"_dns._udp.web.default.svc.cluster.local. SRV 0 100 53 web.default.svc.cluster.local."},
			extra:  []string{"web.default.svc.cluster.local. A 10.43.0.20"}},
		{name: "SRV with the wrong protocol: NXDOMAIN", qname: "_http._udp.web.default.svc.cluster.local.", qtype: mdns.TypeSRV, rcode: mdns.RcodeNameError, soa: true},
		{name: "SRV name asked for A: NODATA", qname: "_http._tcp.web.default.svc.cluster.local.", qtype: mdns.TypeA, soa: true},
		{name: "SRV of the service name: every named port", qname: "web.default.svc.cluster.local.", qtype: mdns.TypeSRV,
			answer: []string{"web.default.svc.cluster.local. SRV 0 50 53 web.default.svc.cluster.local.", "web.default.svc.cluster.local. SRV 0 50 80 web.default.svc.cluster.local."},
			extra:  []string{"web.default.svc.cluster.local. A 10.43.0.20"}},
		{name: "headless SRV: one per endpoint", qname: "_pg._tcp.db.default.svc.cluster.local.", qtype: mdns.TypeSRV,
			answer: []string{
				"_pg._tcp.db.default.svc.cluster.local. SRV 0 33 5432 10-42-2-7.db.default.svc.cluster.local.",
				"_pg._tcp.db.default.svc.cluster.local. SRV 0 33 5432 db-0.db.default.svc.cluster.local.",
				"_pg._tcp.db.default.svc.cluster.local. SRV 0 33 5432 db-1.db.default.svc.cluster.local.",
			},
			extra: []string{
				"10-42-2-7.db.default.svc.cluster.local. A 10.42.2.7",
				"db-0.db.default.svc.cluster.local. A 10.42.0.5",
				"db-0.db.default.svc.cluster.local. AAAA fd00:42::5",
				"db-1.db.default.svc.cluster.local. A 10.42.1.6",
			}},
		{name: "_tcp parent of SRV names: NODATA", qname: "_tcp.web.default.svc.cluster.local.", qtype: mdns.TypeA, soa: true},

		// ExternalName.
		{name: "ExternalName: CNAME, chased upstream", qname: "ext.default.svc.cluster.local.", qtype: mdns.TypeA, action: Chase,
			answer: []string{"ext.default.svc.cluster.local. CNAME www.example.com."}},
		{name: "ExternalName asked for CNAME", qname: "ext.default.svc.cluster.local.", qtype: mdns.TypeCNAME,
			answer: []string{"ext.default.svc.cluster.local. CNAME www.example.com."}},
		{name: "ExternalName into the cluster: chased locally", qname: "inner.default.svc.cluster.local.", qtype: mdns.TypeA,
			answer: []string{"inner.default.svc.cluster.local. CNAME web.default.svc.cluster.local.", "web.default.svc.cluster.local. A 10.43.0.20"}},
		{name: "ExternalName loop: SERVFAIL", qname: "loop.default.svc.cluster.local.", qtype: mdns.TypeA, rcode: mdns.RcodeServerFailure,
			answer: []string{
				"loop.default.svc.cluster.local. CNAME loop.default.svc.cluster.local.", "loop.default.svc.cluster.local. CNAME loop.default.svc.cluster.local.",
				"loop.default.svc.cluster.local. CNAME loop.default.svc.cluster.local.", "loop.default.svc.cluster.local. CNAME loop.default.svc.cluster.local.",
				"loop.default.svc.cluster.local. CNAME loop.default.svc.cluster.local.", "loop.default.svc.cluster.local. CNAME loop.default.svc.cluster.local.",
				"loop.default.svc.cluster.local. CNAME loop.default.svc.cluster.local.", "loop.default.svc.cluster.local. CNAME loop.default.svc.cluster.local.",
				"loop.default.svc.cluster.local. CNAME loop.default.svc.cluster.local.",
			}},

		// Pods ("pods insecure").
		{name: "pod A", qname: "10-42-0-5.default.pod.cluster.local.", qtype: mdns.TypeA,
			answer: []string{"10-42-0-5.default.pod.cluster.local. A 10.42.0.5"}},
		{name: "pod AAAA", qname: "fd00-42--5.default.pod.cluster.local.", qtype: mdns.TypeAAAA,
			answer: []string{"fd00-42--5.default.pod.cluster.local. AAAA fd00:42::5"}},
		{name: "pod A of an IPv6 name: NODATA", qname: "fd00-42--5.default.pod.cluster.local.", qtype: mdns.TypeA, soa: true},
		{name: "pod name that is no address: NXDOMAIN", qname: "web-1.default.pod.cluster.local.", qtype: mdns.TypeA, rcode: mdns.RcodeNameError, soa: true},

		// PTR.
		{name: "PTR of a ClusterIP", qname: "20.0.43.10.in-addr.arpa.", qtype: mdns.TypePTR,
			answer: []string{"20.0.43.10.in-addr.arpa. PTR web.default.svc.cluster.local."}},
		{name: "PTR of an IPv6 ClusterIP", qname: "1.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.", qtype: mdns.TypePTR,
			answer: []string{"1.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa. PTR dual.default.svc.cluster.local."}},
		{name: "PTR of a headless endpoint", qname: "6.1.42.10.in-addr.arpa.", qtype: mdns.TypePTR,
			answer: []string{"6.1.42.10.in-addr.arpa. PTR db-1.db.default.svc.cluster.local."}},
		{name: "PTR of a headless endpoint without hostname", qname: "7.2.42.10.in-addr.arpa.", qtype: mdns.TypePTR,
			answer: []string{"7.2.42.10.in-addr.arpa. PTR 10-42-2-7.db.default.svc.cluster.local."}},
		{name: "PTR of an unknown address: upstream", qname: "1.1.168.192.in-addr.arpa.", qtype: mdns.TypePTR, action: Forward},
		{name: "PTR of a ClusterIP service's endpoint: upstream", qname: "9.0.42.10.in-addr.arpa.", qtype: mdns.TypePTR, action: Forward},

		// The zone itself and other names in it.
		{name: "zone SOA", qname: "cluster.local.", qtype: mdns.TypeSOA, answer: []string{soa}},
		{name: "zone NS", qname: "cluster.local.", qtype: mdns.TypeNS, answer: []string{"cluster.local. NS ns.dns.cluster.local."}},
		{name: "zone A: NODATA", qname: "cluster.local.", qtype: mdns.TypeA, soa: true},
		{name: "svc: NODATA", qname: "svc.cluster.local.", qtype: mdns.TypeA, soa: true},
		{name: "namespace with services: NODATA", qname: "default.svc.cluster.local.", qtype: mdns.TypeA, soa: true},
		{name: "namespace without services: NXDOMAIN", qname: "nobody.svc.cluster.local.", qtype: mdns.TypeA, rcode: mdns.RcodeNameError, soa: true},
		{name: "other name in the zone: NXDOMAIN", qname: "foo.cluster.local.", qtype: mdns.TypeA, rcode: mdns.RcodeNameError, soa: true},
		{name: "search suffix applied to an outside name: NXDOMAIN", qname: "www.example.com.default.svc.cluster.local.", qtype: mdns.TypeA, rcode: mdns.RcodeNameError, soa: true},
		{name: "search suffix svc.cluster.local: NXDOMAIN", qname: "www.example.com.svc.cluster.local.", qtype: mdns.TypeA, rcode: mdns.RcodeNameError, soa: true},

		// Everything else goes upstream.
		{name: "outside name", qname: "www.example.com.", qtype: mdns.TypeA, action: Forward},
		{name: "outside name, node's search suffix", qname: "web.default.corp.internal.", qtype: mdns.TypeA, action: Forward},
		{name: "short name with the host's search suffix", qname: "kubernetes.localdomain.", qtype: mdns.TypeA, action: Forward},
		{name: "a zone that only ends like ours", qname: "notcluster.local.", qtype: mdns.TypeA, action: Forward},
		{name: "cluster name without the domain", qname: "web.default.svc.", qtype: mdns.TypeA, action: Forward},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := query(tt.qname, tt.qtype)
			r := Answer(s, req)
			if r.Action != tt.action {
				t.Fatalf("action %v, want %v", r.Action, tt.action)
			}
			if tt.action == Forward {
				if r.Msg != nil {
					t.Fatalf("forwarded with a reply: %v", r.Msg)
				}
				return
			}
			m := r.Msg
			if m.Id != req.Id || !m.Response || !m.Authoritative || !m.RecursionAvailable {
				t.Errorf("header id=%d response=%v aa=%v ra=%v", m.Id, m.Response, m.Authoritative, m.RecursionAvailable)
			}
			if m.Rcode != tt.rcode {
				t.Errorf("rcode %s, want %s", mdns.RcodeToString[m.Rcode], mdns.RcodeToString[tt.rcode])
			}
			if got := sorted(shorts(m.Answer)); !slices.Equal(got, sorted(tt.answer)) {
				t.Errorf("answer\n got %q\nwant %q", got, sorted(tt.answer))
			}
			if got := sorted(shorts(m.Extra)); !slices.Equal(got, sorted(tt.extra)) {
				t.Errorf("extra\n got %q\nwant %q", got, sorted(tt.extra))
			}
			var wantNs []string
			if tt.soa {
				wantNs = []string{soa}
			}
			if got := shorts(m.Ns); !slices.Equal(got, append([]string{}, wantNs...)) {
				t.Errorf("authority %q, want %q", got, wantNs)
			}
			for _, rr := range append(m.Answer, m.Extra...) {
				if rr.Header().Ttl != 5 {
					t.Errorf("TTL %d in %v, want 5", rr.Header().Ttl, rr)
				}
			}
		})
	}
}

func sorted(s []string) []string {
	out := append([]string{}, s...)
	slices.Sort(out)
	return out
}

func TestAnswerRejectsOddMessages(t *testing.T) {
	s := fixture()
	none := new(mdns.Msg)
	none.Id = 7
	if r := Answer(s, none); r.Msg == nil || r.Msg.Rcode != mdns.RcodeFormatError {
		t.Errorf("no question: %+v", r)
	}
	notify := query("web.default.svc.cluster.local.", mdns.TypeSOA)
	notify.Opcode = mdns.OpcodeNotify
	if r := Answer(s, notify); r.Msg == nil || r.Msg.Rcode != mdns.RcodeNotImplemented {
		t.Errorf("NOTIFY: %+v", r)
	}
	chaos := query("version.bind.", mdns.TypeTXT)
	chaos.Question[0].Qclass = mdns.ClassCHAOS
	if r := Answer(s, chaos); r.Action != Forward {
		t.Errorf("CHAOS class: %+v", r)
	}
}

func TestAnswerOtherDomain(t *testing.T) {
	s := Build("Hanok.Test.", 30, 1, fixtureServices(), nil)
	r := Answer(s, query("web.default.svc.hanok.test.", mdns.TypeA))
	if got := shorts(r.Msg.Answer); !slices.Equal(got, []string{"web.default.svc.hanok.test. A 10.43.0.20"}) || r.Msg.Answer[0].Header().Ttl != 30 {
		t.Errorf("answer %q", got)
	}
	if r := Answer(s, query("web.default.svc.cluster.local.", mdns.TypeA)); r.Action != Forward {
		t.Errorf("cluster.local is not this cluster's: %+v", r)
	}
}

func fixtureServices() []*corev1.Service {
	return []*corev1.Service{svc("default", "web", "10.43.0.20")}
}
