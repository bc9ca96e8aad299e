package proxy

import (
	"net"
	"slices"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/utils/ptr"
)

func mustCIDR(s string) *net.IPNet {
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	return n
}

// Chain names of a service port, as the tests expect them.
func svc(name string) string { return servicePortChain(prefixSVC, name, "tcp") }
func svl(name string) string { return servicePortChain(prefixSVL, name, "tcp") }
func ext(name string) string { return servicePortChain(prefixEXT, name, "tcp") }
func fw(name string) string  { return servicePortChain(prefixFW, name, "tcp") }
func sep(name, addr string) string {
	return endpointChain(name, "tcp", addr)
}

// check is one expectation on a built Ruleset: the rules of table/chain
// (nil: the chain must not exist).
type check struct {
	table, chain string
	rules        []string
}

func TestBuild(t *testing.T) {
	cidr := mustCIDR("10.244.0.0/16")
	web := "ns/web:http"
	webPorts := []v1.ServicePort{tcpPort("http", 80, 30080)}
	servicesHead := `-A KUBE-SERVICES -m comment --comment "ns/web:http cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j `
	nodePortsTail := `-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS`
	masqOffCluster := `-A ` + svc(web) + ` -m comment --comment "ns/web:http cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`
	sepRules := func(ip string) []string {
		return []string{
			"-A " + sep(web, ip+":8080") + " -m comment --comment ns/web:http -s " + ip + " -j KUBE-MARK-MASQ",
			"-A " + sep(web, ip+":8080") + " -m comment --comment ns/web:http -m tcp -p tcp -j DNAT --to-destination " + ip + ":8080",
		}
	}
	spread := func(chain string, ips ...string) []string {
		var out []string
		for i, ip := range ips {
			r := "-A " + chain + ` -m comment --comment "ns/web:http -> ` + ip + `:8080"`
			if i < len(ips)-1 {
				r += " -m statistic --mode random --probability " + probability(len(ips)-i)
			}
			out = append(out, r+" -j "+sep(web, ip+":8080"))
		}
		return out
	}
	three := slice("ns", "web", "web-1", "http", 8080,
		readyEP("10.244.0.11", "n1"), readyEP("10.244.1.12", "n2"), readyEP("10.244.2.13", "n3"))

	tests := []struct {
		name     string
		services []*v1.Service
		slices   []*discoveryv1.EndpointSlice
		cidr     *net.IPNet
		checks   []check
	}{
		{
			name:     "cluster IP spread evenly over ready endpoints, hairpin marked",
			services: []*v1.Service{service("ns", "web", "10.96.0.10", webPorts)},
			slices:   []*discoveryv1.EndpointSlice{three},
			cidr:     cidr,
			checks: []check{
				{"nat", "KUBE-SERVICES", []string{servicesHead + svc(web), nodePortsTail}},
				{"nat", svc(web), append([]string{masqOffCluster}, spread(svc(web), "10.244.0.11", "10.244.1.12", "10.244.2.13")...)},
				{"nat", sep(web, "10.244.0.11:8080"), sepRules("10.244.0.11")},
				{"nat", sep(web, "10.244.2.13:8080"), sepRules("10.244.2.13")},
				{"nat", ext(web), nil}, // not externally reachable
				{"filter", "KUBE-SERVICES", []string{}},
			},
		},
		{
			name:     "no cluster CIDR: no off-cluster masquerade",
			services: []*v1.Service{service("ns", "web", "10.96.0.10", webPorts)},
			slices:   []*discoveryv1.EndpointSlice{slice("ns", "web", "web-1", "http", 8080, readyEP("10.244.0.11", "n1"))},
			checks: []check{
				{"nat", svc(web), spread(svc(web), "10.244.0.11")},
			},
		},
		{
			name:     "no ready endpoint: REJECT cluster IP and node port, no nat chains",
			services: []*v1.Service{service("ns", "web", "10.96.0.10", webPorts, withType(v1.ServiceTypeNodePort))},
			slices: []*discoveryv1.EndpointSlice{slice("ns", "web", "web-1", "http", 8080,
				ep{ip: "10.244.0.11", node: "n1"})},
			cidr: cidr,
			checks: []check{
				{"nat", "KUBE-SERVICES", []string{nodePortsTail}},
				{"nat", "KUBE-NODEPORTS", []string{}},
				{"nat", svc(web), nil},
				{"nat", ext(web), nil},
				{"nat", sep(web, "10.244.0.11:8080"), nil},
				{"filter", "KUBE-SERVICES", []string{`-A KUBE-SERVICES -m comment --comment "ns/web:http has no endpoints" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j REJECT`}},
				{"filter", "KUBE-EXTERNAL-SERVICES", []string{`-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns/web:http has no endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j REJECT`}},
			},
		},
		{
			name: "headless and ExternalName services are left alone",
			services: []*v1.Service{
				service("ns", "web", "None", webPorts),
				service("ns", "ext", "", webPorts, withType(v1.ServiceTypeExternalName)),
			},
			slices: []*discoveryv1.EndpointSlice{three},
			checks: []check{
				{"nat", "KUBE-SERVICES", []string{nodePortsTail}},
				{"nat", svc(web), nil},
				{"filter", "KUBE-SERVICES", []string{}},
			},
		},
		{
			name: "node port, load balancer and external IPs go through the EXT chain, masqueraded",
			services: []*v1.Service{service("ns", "web", "10.96.0.10", webPorts,
				withLB("192.168.1.5"), withExternalIPs("192.168.1.100"))},
			slices: []*discoveryv1.EndpointSlice{three},
			cidr:   cidr,
			checks: []check{
				{"nat", "KUBE-SERVICES", []string{
					servicesHead + svc(web),
					`-A KUBE-SERVICES -m comment --comment "ns/web:http external IP" -m tcp -p tcp -d 192.168.1.100 --dport 80 -j ` + ext(web),
					`-A KUBE-SERVICES -m comment --comment "ns/web:http loadbalancer IP" -m tcp -p tcp -d 192.168.1.5 --dport 80 -j ` + ext(web),
					nodePortsTail,
				}},
				{"nat", "KUBE-NODEPORTS", []string{"-A KUBE-NODEPORTS -m comment --comment ns/web:http -m tcp -p tcp --dport 30080 -j " + ext(web)}},
				{"nat", ext(web), []string{
					`-A ` + ext(web) + ` -m comment --comment "masquerade traffic for ns/web:http external destinations" -j KUBE-MARK-MASQ`,
					`-A ` + ext(web) + ` -j ` + svc(web),
				}},
				{"filter", "KUBE-EXTERNAL-SERVICES", []string{}},
			},
		},
		{
			name:     "session affinity: recent checks first, set on DNAT",
			services: []*v1.Service{service("ns", "web", "10.96.0.10", webPorts, withAffinity(600))},
			slices: []*discoveryv1.EndpointSlice{slice("ns", "web", "web-1", "http", 8080,
				readyEP("10.244.0.11", "n1"), readyEP("10.244.1.12", "n2"))},
			cidr: cidr,
			checks: []check{
				{"nat", svc(web), append([]string{masqOffCluster,
					`-A ` + svc(web) + ` -m comment --comment "ns/web:http -> 10.244.0.11:8080" -m recent --name ` + sep(web, "10.244.0.11:8080") + ` --rcheck --seconds 600 --reap -j ` + sep(web, "10.244.0.11:8080"),
					`-A ` + svc(web) + ` -m comment --comment "ns/web:http -> 10.244.1.12:8080" -m recent --name ` + sep(web, "10.244.1.12:8080") + ` --rcheck --seconds 600 --reap -j ` + sep(web, "10.244.1.12:8080"),
				}, spread(svc(web), "10.244.0.11", "10.244.1.12")...)},
				{"nat", sep(web, "10.244.0.11:8080"), []string{
					"-A " + sep(web, "10.244.0.11:8080") + " -m comment --comment ns/web:http -s 10.244.0.11 -j KUBE-MARK-MASQ",
					"-A " + sep(web, "10.244.0.11:8080") + " -m comment --comment ns/web:http -m recent --name " + sep(web, "10.244.0.11:8080") + " --set -m tcp -p tcp -j DNAT --to-destination 10.244.0.11:8080",
				}},
			},
		},
		{
			name: "externalTrafficPolicy Local: external traffic to local endpoints only, unmasqueraded",
			services: []*v1.Service{service("ns", "web", "10.96.0.10", webPorts,
				withType(v1.ServiceTypeNodePort), withExternalLocal())},
			slices: []*discoveryv1.EndpointSlice{three},
			cidr:   cidr,
			checks: []check{
				{"nat", "KUBE-SERVICES", []string{servicesHead + svc(web), nodePortsTail}},
				{"nat", ext(web), []string{
					`-A ` + ext(web) + ` -m comment --comment "pod traffic for ns/web:http external destinations" -s 10.244.0.0/16 -j ` + svc(web),
					`-A ` + ext(web) + ` -m comment --comment "masquerade LOCAL traffic for ns/web:http external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
					`-A ` + ext(web) + ` -m comment --comment "route LOCAL traffic for ns/web:http external destinations" -m addrtype --src-type LOCAL -j ` + svc(web),
					`-A ` + ext(web) + ` -j ` + svl(web),
				}},
				{"nat", svl(web), spread(svl(web), "10.244.1.12")},
				{"nat", svc(web), append([]string{masqOffCluster}, spread(svc(web), "10.244.0.11", "10.244.1.12", "10.244.2.13")...)},
				{"nat", sep(web, "10.244.1.12:8080"), sepRules("10.244.1.12")},
				{"filter", "KUBE-EXTERNAL-SERVICES", []string{}},
			},
		},
		{
			name: "externalTrafficPolicy Local without a local endpoint: DROP what is not short-circuited",
			services: []*v1.Service{service("ns", "web", "10.96.0.10", webPorts,
				withType(v1.ServiceTypeNodePort), withExternalLocal())},
			slices: []*discoveryv1.EndpointSlice{slice("ns", "web", "web-1", "http", 8080, readyEP("10.244.0.11", "n1"))},
			cidr:   cidr,
			checks: []check{
				{"nat", "KUBE-NODEPORTS", []string{"-A KUBE-NODEPORTS -m comment --comment ns/web:http -m tcp -p tcp --dport 30080 -j " + ext(web)}},
				{"nat", ext(web), []string{
					`-A ` + ext(web) + ` -m comment --comment "pod traffic for ns/web:http external destinations" -s 10.244.0.0/16 -j ` + svc(web),
					`-A ` + ext(web) + ` -m comment --comment "masquerade LOCAL traffic for ns/web:http external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
					`-A ` + ext(web) + ` -m comment --comment "route LOCAL traffic for ns/web:http external destinations" -m addrtype --src-type LOCAL -j ` + svc(web),
				}},
				{"nat", svl(web), nil},
				{"filter", "KUBE-EXTERNAL-SERVICES", []string{`-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns/web:http has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j DROP`}},
			},
		},
		{
			name:     "internalTrafficPolicy Local: cluster IP to local endpoints",
			services: []*v1.Service{service("ns", "web", "10.96.0.10", webPorts, withInternalLocal())},
			slices:   []*discoveryv1.EndpointSlice{three},
			cidr:     cidr,
			checks: []check{
				{"nat", "KUBE-SERVICES", []string{servicesHead + svl(web), nodePortsTail}},
				{"nat", svl(web), append([]string{
					`-A ` + svl(web) + ` -m comment --comment "ns/web:http cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`,
				}, spread(svl(web), "10.244.1.12")...)},
				{"nat", svc(web), nil},
				{"nat", sep(web, "10.244.0.11:8080"), nil},
			},
		},
		{
			name:     "internalTrafficPolicy Local without a local endpoint: DROP",
			services: []*v1.Service{service("ns", "web", "10.96.0.10", webPorts, withInternalLocal())},
			slices:   []*discoveryv1.EndpointSlice{slice("ns", "web", "web-1", "http", 8080, readyEP("10.244.0.11", "n1"))},
			cidr:     cidr,
			checks: []check{
				{"nat", "KUBE-SERVICES", []string{nodePortsTail}},
				{"filter", "KUBE-SERVICES", []string{`-A KUBE-SERVICES -m comment --comment "ns/web:http has no local endpoints" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j DROP`}},
			},
		},
		{
			name:     "terminating endpoints serve only when none is ready",
			services: []*v1.Service{service("ns", "web", "10.96.0.10", webPorts)},
			slices: []*discoveryv1.EndpointSlice{slice("ns", "web", "web-1", "http", 8080,
				terminatingEP("10.244.0.11", "n1"), terminatingEP("10.244.1.12", "n2"),
				ep{ip: "10.244.2.13", node: "n2", terminating: true})}, // not serving: never
			checks: []check{
				{"nat", svc(web), spread(svc(web), "10.244.0.11", "10.244.1.12")},
			},
		},
		{
			name:     "ready endpoints win over terminating ones",
			services: []*v1.Service{service("ns", "web", "10.96.0.10", webPorts)},
			slices: []*discoveryv1.EndpointSlice{slice("ns", "web", "web-1", "http", 8080,
				terminatingEP("10.244.0.11", "n1"), readyEP("10.244.1.12", "n2"))},
			checks: []check{
				{"nat", svc(web), spread(svc(web), "10.244.1.12")},
				{"nat", sep(web, "10.244.0.11:8080"), nil},
			},
		},
		{
			name:     "an address in two slices is one endpoint",
			services: []*v1.Service{service("ns", "web", "10.96.0.10", webPorts)},
			slices: []*discoveryv1.EndpointSlice{
				slice("ns", "web", "web-1", "http", 8080, ep{ip: "10.244.0.11", node: "n1"}),
				slice("ns", "web", "web-2", "http", 8080, readyEP("10.244.0.11", "n1"), readyEP("10.244.1.12", "n2")),
			},
			checks: []check{
				{"nat", svc(web), spread(svc(web), "10.244.0.11", "10.244.1.12")},
			},
		},
		{
			name: "load balancer source ranges: FW chain, the rest dropped in filter",
			services: []*v1.Service{service("ns", "web", "10.96.0.10", webPorts,
				withLB("192.168.1.5"), withSourceRanges("203.0.113.0/24"))},
			slices: []*discoveryv1.EndpointSlice{three},
			cidr:   cidr,
			checks: []check{
				{"nat", "KUBE-SERVICES", []string{
					servicesHead + svc(web),
					`-A KUBE-SERVICES -m comment --comment "ns/web:http loadbalancer IP" -m tcp -p tcp -d 192.168.1.5 --dport 80 -j ` + fw(web),
					nodePortsTail,
				}},
				{"nat", fw(web), []string{
					`-A ` + fw(web) + ` -m comment --comment "ns/web:http loadbalancer IP" -s 203.0.113.0/24 -j ` + ext(web),
					`-A ` + fw(web) + ` -m comment --comment "ns/web:http loadbalancer IP" -m comment --comment "other traffic to ns/web:http will be dropped by KUBE-PROXY-FIREWALL"`,
				}},
				{"filter", "KUBE-PROXY-FIREWALL", []string{
					`-A KUBE-PROXY-FIREWALL -m comment --comment "ns/web:http traffic not accepted by ` + fw(web) + `" -m tcp -p tcp -d 192.168.1.5 --dport 80 -j DROP`,
				}},
			},
		},
		{
			name: "ports matched by name; an unnamed port has no suffix",
			services: []*v1.Service{
				service("ns", "web", "10.96.0.10", []v1.ServicePort{tcpPort("http", 80, 0), tcpPort("metrics", 9090, 0)}),
				service("ns", "plain", "10.96.0.20", []v1.ServicePort{tcpPort("", 80, 0)}),
			},
			slices: []*discoveryv1.EndpointSlice{
				slice("ns", "web", "web-1", "metrics", 9100, readyEP("10.244.0.11", "n1")),
				slice("ns", "plain", "plain-1", "", 8000, readyEP("10.244.0.30", "n1")),
			},
			checks: []check{
				{"nat", "KUBE-SERVICES", []string{
					`-A KUBE-SERVICES -m comment --comment "ns/plain cluster IP" -m tcp -p tcp -d 10.96.0.20 --dport 80 -j ` + svc("ns/plain"),
					`-A KUBE-SERVICES -m comment --comment "ns/web:metrics cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 9090 -j ` + svc("ns/web:metrics"),
					nodePortsTail,
				}},
				{"nat", svc("ns/plain"), []string{`-A ` + svc("ns/plain") + ` -m comment --comment "ns/plain -> 10.244.0.30:8000" -j ` + sep("ns/plain", "10.244.0.30:8000")}},
				{"filter", "KUBE-SERVICES", []string{`-A KUBE-SERVICES -m comment --comment "ns/web:http has no endpoints" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j REJECT`}},
			},
		},
		{
			name:     "a slice of another namespace or another service is not used",
			services: []*v1.Service{service("ns", "web", "10.96.0.10", webPorts)},
			slices: []*discoveryv1.EndpointSlice{
				slice("other", "web", "web-1", "http", 8080, readyEP("10.244.0.11", "n1")),
				slice("ns", "web2", "web2-1", "http", 8080, readyEP("10.244.0.12", "n1")),
			},
			checks: []check{
				{"filter", "KUBE-SERVICES", []string{`-A KUBE-SERVICES -m comment --comment "ns/web:http has no endpoints" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j REJECT`}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Build(Input{Services: tt.services, Slices: tt.slices, NodeName: "n2", ClusterCIDR: tt.cidr})
			for _, c := range tt.checks {
				tbl := r.NAT
				if c.table == "filter" {
					tbl = r.Filter
				}
				if c.rules == nil {
					if tbl.Has(c.chain) {
						t.Errorf("%s/%s exists, want none:\n%s", c.table, c.chain, strings.Join(tbl.Rules(c.chain), "\n"))
					}
					continue
				}
				if !tbl.Has(c.chain) {
					t.Errorf("%s/%s missing", c.table, c.chain)
					continue
				}
				if got := tbl.Rules(c.chain); !slices.Equal(got, c.rules) && !(len(got) == 0 && len(c.rules) == 0) {
					t.Errorf("%s/%s:\ngot\n  %s\nwant\n  %s", c.table, c.chain, strings.Join(got, "\n  "), strings.Join(c.rules, "\n  "))
				}
			}
		})
	}
}

// The fixed chains: masquerade of marked packets, the mark itself, and
// forwarding of marked and established traffic.
func TestBuildFixedChains(t *testing.T) {
	r := Build(Input{RandomFully: true})
	want := map[string][]string{
		"nat/KUBE-POSTROUTING": {
			"-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
			"-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000",
			`-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully`,
		},
		"nat/KUBE-MARK-MASQ": {"-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000"},
		"filter/KUBE-FORWARD": {
			"-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP",
			`-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT`,
			`-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
		},
	}
	for key, rules := range want {
		table, chain, _ := strings.Cut(key, "/")
		tbl := r.NAT
		if table == "filter" {
			tbl = r.Filter
		}
		if got := tbl.Rules(chain); !slices.Equal(got, rules) {
			t.Errorf("%s:\ngot  %q\nwant %q", key, got, rules)
		}
	}
	if got := r.NAT.Chains(); !slices.Equal(got, []string{"KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-MARK-MASQ"}) {
		t.Errorf("nat chains %v", got)
	}
	if got := r.Filter.Chains(); !slices.Equal(got, []string{"KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES", "KUBE-FORWARD", "KUBE-PROXY-FIREWALL"}) {
		t.Errorf("filter chains %v", got)
	}
}

// Each family gets only its own addresses; IPv6 endpoints are bracketed.
func TestBuildFamilies(t *testing.T) {
	dual := service("ns", "web", "10.96.0.10", []v1.ServicePort{tcpPort("http", 80, 0)})
	dual.Spec.ClusterIPs = []string{"10.96.0.10", "fd00:96::10"}
	v4only := service("ns", "old", "10.96.0.11", []v1.ServicePort{tcpPort("http", 80, 0)})
	eps := []*discoveryv1.EndpointSlice{
		slice("ns", "web", "web-v4", "http", 8080, readyEP("10.244.0.11", "n1")),
		slice("ns", "web", "web-v6", "http", 8080, readyEP("fd00:244::11", "n1")),
	}
	r6 := Build(Input{Family: v1.IPv6Protocol, Services: []*v1.Service{dual, v4only}, Slices: eps, ClusterCIDR: mustCIDR("10.244.0.0/16")})
	name := "ns/web:http"
	if got, want := r6.NAT.Rules(sep(name, "[fd00:244::11]:8080")), []string{
		"-A " + sep(name, "[fd00:244::11]:8080") + " -m comment --comment ns/web:http -s fd00:244::11 -j KUBE-MARK-MASQ",
		"-A " + sep(name, "[fd00:244::11]:8080") + " -m comment --comment ns/web:http -m tcp -p tcp -j DNAT --to-destination [fd00:244::11]:8080",
	}; !slices.Equal(got, want) {
		t.Errorf("v6 SEP:\ngot  %q\nwant %q", got, want)
	}
	svcRules := r6.NAT.Rules("KUBE-SERVICES")
	if len(svcRules) != 2 || !strings.Contains(svcRules[0], "-d fd00:96::10 ") ||
		!strings.HasSuffix(svcRules[1], `-m addrtype --dst-type LOCAL ! -d ::1/128 -j KUBE-NODEPORTS`) {
		t.Errorf("v6 KUBE-SERVICES: %q", svcRules)
	}
	// The v4 cluster CIDR means nothing to v6: no masquerade rule.
	for _, rule := range r6.NAT.Rules(svc(name)) {
		if strings.Contains(rule, "KUBE-MARK-MASQ") {
			t.Errorf("v6 SVC masquerades with a v4 CIDR: %s", rule)
		}
	}
	if r6.NAT.Has(sep(name, "10.244.0.11:8080")) {
		t.Error("v4 endpoint in the v6 rules")
	}
}

// Probabilities give every endpoint an even share: the i-th rule takes
// 1/(n-i) of what reaches it.
func TestProbability(t *testing.T) {
	for n, want := range map[int]string{1: "1.0000000000", 2: "0.5000000000", 3: "0.3333333333", 10: "0.1000000000"} {
		if got := probability(n); got != want {
			t.Errorf("probability(%d) = %s, want %s", n, got, want)
		}
	}
}

// Services another proxy owns are not this proxy's.
func TestBuildOtherProxy(t *testing.T) {
	s := service("ns", "web", "10.96.0.10", []v1.ServicePort{tcpPort("http", 80, 0)})
	s.Labels = map[string]string{labelServiceProxyName: "other"}
	r := Build(Input{Services: []*v1.Service{s}})
	if len(r.NAT.Rules("KUBE-SERVICES")) != 1 || len(r.Filter.Rules("KUBE-SERVICES")) != 0 {
		t.Errorf("rules for another proxy's service: %q %q", r.NAT.Rules("KUBE-SERVICES"), r.Filter.Rules("KUBE-SERVICES"))
	}
}

// UDP ports get udp matches.
func TestBuildUDP(t *testing.T) {
	s := service("kube-system", "dns", "10.96.0.10", []v1.ServicePort{{Name: "dns", Protocol: v1.ProtocolUDP, Port: 53}})
	sl := slice("kube-system", "dns", "dns-1", "dns", 53, readyEP("10.244.0.5", "n1"))
	sl.Ports[0].Protocol = ptr.To(v1.ProtocolUDP)
	r := Build(Input{Services: []*v1.Service{s}, Slices: []*discoveryv1.EndpointSlice{sl}})
	chain := servicePortChain(prefixSVC, "kube-system/dns:dns", "udp")
	want := `-A KUBE-SERVICES -m comment --comment "kube-system/dns:dns cluster IP" -m udp -p udp -d 10.96.0.10 --dport 53 -j ` + chain
	if got := r.NAT.Rules("KUBE-SERVICES"); len(got) != 2 || got[0] != want {
		t.Errorf("got %q, want first %q", got, want)
	}
}

// A Builder reusing its memory gives exactly what a fresh Build gives,
// whatever changed in between.
func TestBuilderMemo(t *testing.T) {
	svcs, eps := bigCluster(30, 3)
	in := Input{Services: svcs, Slices: eps, NodeName: "node-1", ClusterCIDR: mustCIDR("10.0.0.0/8")}
	b := NewBuilder()
	steps := []struct {
		name   string
		change func(in Input) Input
	}{
		{"first", func(in Input) Input { return in }},
		{"same objects", func(in Input) Input { return in }},
		{"one endpoint more", func(in Input) Input { return withOneMoreEndpoint(in, 7) }},
		{"a service changed", func(in Input) Input {
			in.Services = slices.Clone(in.Services)
			s := in.Services[3].DeepCopy()
			s.Spec.Type = v1.ServiceTypeNodePort
			s.Spec.Ports[0].NodePort = 31999
			in.Services[3] = s
			return in
		}},
		{"a service gone", func(in Input) Input {
			in.Services = slices.Delete(slices.Clone(in.Services), 5, 6)
			return in
		}},
		{"slices in another order", func(in Input) Input {
			in.Slices = slices.Clone(in.Slices)
			slices.Reverse(in.Slices)
			return in
		}},
		{"another cluster CIDR", func(in Input) Input {
			in.ClusterCIDR = mustCIDR("10.244.0.0/16")
			return in
		}},
		{"another node", func(in Input) Input {
			in.NodeName = "node-2"
			return in
		}},
	}
	for _, st := range steps {
		in = st.change(in)
		got, want := b.Build(in).Render(nil, nil), Build(in).Render(nil, nil)
		if string(got) != string(want) {
			t.Fatalf("%s: the Builder's rules differ from Build's", st.name)
		}
	}
}
