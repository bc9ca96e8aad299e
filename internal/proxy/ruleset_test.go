package proxy

import (
	"net"
	"slices"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// restoreLines splits restore input into its lines, for containment checks.
func restoreLines(b []byte) []string {
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func contains(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

func TestRender(t *testing.T) {
	web := "ns/web:http"
	ports := []v1.ServicePort{tcpPort("http", 80, 0)}
	build := func(svcs []*v1.Service, eps ...*discoveryv1.EndpointSlice) *Ruleset {
		return Build(Input{Services: svcs, Slices: eps, NodeName: "n1", ClusterCIDR: mustCIDR("10.244.0.0/16")})
	}
	one := []*v1.Service{service("ns", "web", "10.96.0.10", ports)}
	two := append(one, service("ns", "api", "10.96.0.20", ports))
	webEPs := slice("ns", "web", "web-1", "http", 8080, readyEP("10.244.0.11", "n1"), readyEP("10.244.1.12", "n2"))
	webEPs3 := slice("ns", "web", "web-1", "http", 8080, readyEP("10.244.0.11", "n1"), readyEP("10.244.1.12", "n2"), readyEP("10.244.2.13", "n3"))
	apiEPs := slice("ns", "api", "api-1", "http", 8080, readyEP("10.244.0.21", "n1"))
	api := "ns/api:http"

	tests := []struct {
		name      string
		prev      *Ruleset
		next      *Ruleset
		stale     map[string][]string
		want      []string // lines that must be there
		wantNot   []string // lines that must not
		wantEmpty bool
	}{
		{
			name: "full: every chain declared and written",
			next: build(one, webEPs),
			want: []string{"*nat", ":KUBE-SERVICES - [0:0]", ":KUBE-MARK-MASQ - [0:0]", ":" + svc(web) + " - [0:0]",
				":" + sep(web, "10.244.0.11:8080") + " - [0:0]", "-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000", "COMMIT",
				"*filter", ":KUBE-FORWARD - [0:0]"},
		},
		{
			name:      "nothing changed: nothing to write",
			prev:      build(one, webEPs),
			next:      build(one, webEPs),
			wantEmpty: true,
		},
		{
			name: "an endpoint added: only its service chain and its new SEP chain",
			prev: build(one, webEPs),
			next: build(one, webEPs3),
			want: []string{"*nat", ":" + svc(web) + " - [0:0]", ":" + sep(web, "10.244.2.13:8080") + " - [0:0]",
				"-A " + sep(web, "10.244.2.13:8080") + " -m comment --comment ns/web:http -m tcp -p tcp -j DNAT --to-destination 10.244.2.13:8080"},
			wantNot: []string{":KUBE-SERVICES - [0:0]", ":" + sep(web, "10.244.0.11:8080") + " - [0:0]", "*filter"},
		},
		{
			name: "a service removed: its chains flushed and deleted, the captures rewritten",
			prev: build(two, webEPs, apiEPs),
			next: build(one, webEPs),
			want: []string{":KUBE-SERVICES - [0:0]", ":" + svc(api) + " - [0:0]", "-X " + svc(api),
				"-X " + sep(api, "10.244.0.21:8080")},
			wantNot: []string{":" + svc(web) + " - [0:0]", "-X " + svc(web)},
		},
		{
			name:  "a full sync deletes stale chains found on the host",
			next:  build(one, webEPs),
			stale: map[string][]string{"nat": {"KUBE-SEP-OLDOLDOLDOLDOLDO"}},
			want:  []string{":KUBE-SEP-OLDOLDOLDOLDOLDO - [0:0]", "-X KUBE-SEP-OLDOLDOLDOLDOLDO"},
		},
		{
			name: "endpoints gone: REJECT in filter, nat chains deleted",
			prev: build(one, webEPs),
			next: build(one),
			want: []string{"*filter", ":KUBE-SERVICES - [0:0]",
				`-A KUBE-SERVICES -m comment --comment "ns/web:http has no endpoints" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j REJECT`,
				"-X " + svc(web), "-X " + sep(web, "10.244.0.11:8080")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := tt.next.Render(tt.prev, tt.stale)
			if tt.wantEmpty {
				if len(out) != 0 {
					t.Fatalf("want nothing, got:\n%s", out)
				}
				return
			}
			lines := restoreLines(out)
			for _, w := range tt.want {
				if !contains(lines, w) {
					t.Errorf("missing %q in:\n%s", w, out)
				}
			}
			for _, w := range tt.wantNot {
				if contains(lines, w) {
					t.Errorf("unexpected %q in:\n%s", w, out)
				}
			}
			// Declarations come before rules, deletions after, in
			// every table.
			seenRule, seenDelete := false, false
			for _, l := range lines {
				switch {
				case strings.HasPrefix(l, "*"):
					seenRule, seenDelete = false, false
				case strings.HasPrefix(l, ":") && (seenRule || seenDelete):
					t.Errorf("declaration %q after rules", l)
				case strings.HasPrefix(l, "-A"):
					seenRule = true
					if seenDelete {
						t.Errorf("rule %q after a deletion", l)
					}
				case strings.HasPrefix(l, "-X"):
					seenDelete = true
				}
			}
		})
	}
}

func TestDeleteChains(t *testing.T) {
	got := string(deleteChains("nat", []string{"PREROUTING", "KUBE-SERVICES", "KUBE-SVC-ABC", "KUBE-KUBELET-CANARY", "KUBE-MARK-MASQ", "CNI-HOSTPORT-DNAT"}))
	want := "*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-ABC - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n-X KUBE-SERVICES\n-X KUBE-SVC-ABC\n-X KUBE-MARK-MASQ\nCOMMIT\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := deleteChains("filter", []string{"INPUT", "KUBE-FIREWALL"}); got != nil {
		t.Errorf("deleting chains that are not the proxy's: %s", got)
	}
}

func TestFailedLine(t *testing.T) {
	data := []byte("*nat\n:KUBE-X - [0:0]\n-A KUBE-X -j BOGUS\nCOMMIT\n")
	if got := failedLine(data, "iptables-restore v1.8.9 (nf_tables): line 3 failed"); got != " (line 3: -A KUBE-X -j BOGUS)" {
		t.Errorf("got %q", got)
	}
}

func TestFamilies(t *testing.T) {
	tests := []struct {
		ips  []string
		cidr string
		want []v1.IPFamily
	}{
		{nil, "", []v1.IPFamily{v1.IPv4Protocol}},
		{[]string{"192.168.1.2"}, "", []v1.IPFamily{v1.IPv4Protocol}},
		{[]string{"fd00::2"}, "", []v1.IPFamily{v1.IPv6Protocol}},
		{[]string{"192.168.1.2", "fd00::2"}, "", []v1.IPFamily{v1.IPv4Protocol, v1.IPv6Protocol}},
		{nil, "fd00:244::/56", []v1.IPFamily{v1.IPv6Protocol}},
	}
	for _, tt := range tests {
		var ips []net.IP
		for _, s := range tt.ips {
			ips = append(ips, net.ParseIP(s))
		}
		var cidr *net.IPNet
		if tt.cidr != "" {
			cidr = mustCIDR(tt.cidr)
		}
		if got := families(ips, cidr); !slices.Equal(got, tt.want) {
			t.Errorf("families(%v, %q) = %v, want %v", tt.ips, tt.cidr, got, tt.want)
		}
	}
}
