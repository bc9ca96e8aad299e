package proxy

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	v1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// Input is everything the rules of one IP family depend on.
type Input struct {
	Family   v1.IPFamily // IPv4Protocol (the default) or IPv6Protocol
	Services []*v1.Service
	Slices   []*discoveryv1.EndpointSlice
	NodeName string
	// NodeIPs are this node's addresses; with loadBalancerSourceRanges
	// that include one of them, the node may reach the LB IPs itself.
	NodeIPs []net.IP
	// ClusterCIDR (of Family) tells pod traffic from other traffic: traffic
	// to a ClusterIP from outside it is masqueraded, pod traffic to an
	// external destination of an externalTrafficPolicy Local service goes
	// to any endpoint. Nil: neither rule is written.
	ClusterCIDR *net.IPNet
	// RandomFully adds --random-fully to the MASQUERADE rule (when the
	// host's iptables supports it).
	RandomFully bool
}

// Build is the pure core of the proxy: the chains and rules for in, with
// upstream kube-proxy's names and shape.
func Build(in Input) *Ruleset { return NewBuilder().Build(in) }

// Builder is Build with a memory: a Service whose Service object and
// EndpointSlices are the very objects of the previous Build (an informer's
// cache hands out the same pointers until an object changes) gets the
// rules built then, so one changed Service costs little more than putting
// the chains together. Its results are always what Build gives. Not safe
// for concurrent use; one per IP family.
type Builder struct {
	params string           // what every service's rules depend on besides its objects
	memo   map[string]*memo // by "namespace/name"
}

type memo struct {
	svc    *v1.Service
	slices []*discoveryv1.EndpointSlice
	nat    *Table
	filter *Table
	udp    []udpPort
}

// NewBuilder makes a Builder with an empty memory.
func NewBuilder() *Builder { return &Builder{memo: map[string]*memo{}} }

// Build is Build(in), reusing what it can.
func (b *Builder) Build(in Input) *Ruleset {
	if in.Family == "" {
		in.Family = v1.IPv4Protocol
	}
	var clusterCIDR string
	if in.ClusterCIDR != nil && isFamily(in.Family, in.ClusterCIDR.IP) {
		clusterCIDR = in.ClusterCIDR.String()
	}
	params := fmt.Sprint(in.Family, "|", in.NodeName, "|", clusterCIDR, "|", in.NodeIPs)
	if params != b.params {
		b.params, b.memo = params, map[string]*memo{}
	}

	r := &Ruleset{Family: in.Family, NAT: newTable(tableNAT), Filter: newTable(tableFilter)}
	writeFixed(r, in.RandomFully)

	services := slices.Clone(in.Services)
	slices.SortFunc(services, func(a, c *v1.Service) int {
		if d := strings.Compare(a.Namespace, c.Namespace); d != 0 {
			return d
		}
		return strings.Compare(a.Name, c.Name)
	})
	byService := slicesByService(in.Family, in.Slices)
	next := make(map[string]*memo, len(services))
	for _, svc := range services {
		key := svc.Namespace + "/" + svc.Name
		eps := byService[key]
		m := b.memo[key]
		if m == nil || m.svc != svc || !slices.Equal(m.slices, eps) {
			m = &memo{svc: svc, slices: eps, nat: newTable(tableNAT), filter: newTable(tableFilter)}
			part := &Ruleset{Family: in.Family, NAT: m.nat, Filter: m.filter}
			for _, sp := range portsOf(in.Family, svc, eps, in.NodeName) {
				writeServicePort(part, &sp, clusterCIDR, in.NodeIPs)
				if sp.protocol == "udp" {
					m.udp = append(m.udp, udpPortOf(&sp))
				}
			}
		}
		next[key] = m
		merge(r.NAT, m.nat)
		merge(r.Filter, m.filter)
		r.udp = append(r.udp, m.udp...)
	}
	b.memo = next

	// Last in KUBE-SERVICES: anything to a local address goes on to the
	// node ports. Localhost node ports would need route_localnet: not
	// offered, as upstream's default.
	dst := []string{"-m", "addrtype", "--dst-type", "LOCAL", "!", "-d", "127.0.0.0/8"}
	if in.Family == v1.IPv6Protocol {
		dst = []string{"-m", "addrtype", "--dst-type", "LOCAL", "!", "-d", "::1/128"}
	}
	r.NAT.add(chainServices, "-m", "comment", "--comment",
		`"kubernetes service nodeports; NOTE: this must be the last rule in this chain"`, dst, "-j", chainNodePorts)
	return r
}

// merge adds one service's part to t: its rules in the top-level chains
// (which t already has) after those there, its own chains as they are
// (shared, never written to again).
func merge(t, part *Table) {
	for _, c := range part.order {
		if t.Has(c) {
			t.chains[c] = append(t.chains[c], part.chains[c]...)
			continue
		}
		t.order = append(t.order, c)
		t.chains[c] = part.chains[c]
	}
}

// writeFixed writes the top-level chains, declared first so they lead
// the restore input, and the rules of theirs that no service owns.
func writeFixed(r *Ruleset, randomFully bool) {
	nat, filt := r.NAT, r.Filter
	for _, c := range topChains[tableNAT] {
		nat.chain(c)
	}
	for _, c := range topChains[tableFilter] {
		filt.chain(c)
	}
	masq := []string{"-j", "MASQUERADE"}
	if randomFully {
		masq = append(masq, "--random-fully")
	}
	nat.add(chainPostrouting, "-m", "mark", "!", "--mark", masqMark+"/"+masqMark, "-j", "RETURN")
	// Clear the mark: a packet that is re-routed through here (IPsec, a
	// tunnel) is not masqueraded twice.
	nat.add(chainPostrouting, "-j", "MARK", "--xor-mark", masqMark)
	nat.add(chainPostrouting, "-m", "comment", "--comment", `"kubernetes service traffic requiring SNAT"`, masq)
	nat.add(chainMarkMasq, "-j", "MARK", "--or-mark", masqMark)

	filt.add(chainForward, "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP")
	filt.add(chainForward, "-m", "comment", "--comment", `"kubernetes forwarding rules"`, "-m", "mark", "--mark", masqMark+"/"+masqMark, "-j", "ACCEPT")
	filt.add(chainForward, "-m", "comment", "--comment", `"kubernetes forwarding conntrack rule"`, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT")
}

// writeServicePort writes one service port's rules: the captures in the
// top-level chains, its SVC/SVL/EXT/FW chains and one SEP chain per
// endpoint it may send traffic to.
func writeServicePort(r *Ruleset, sp *servicePort, clusterCIDR string, nodeIPs []net.IP) {
	nat, filt := r.NAT, r.Filter
	proto, port := sp.protocol, strconv.Itoa(int(sp.port))
	match := []string{"-m", proto, "-p", proto}
	svcChain := servicePortChain(prefixSVC, sp.name, proto)
	svlChain := servicePortChain(prefixSVL, sp.name, proto)
	extChain := servicePortChain(prefixEXT, sp.name, proto)
	fwChain := servicePortChain(prefixFW, sp.name, proto)

	cluster, local, reachable, hasEndpoints := categorize(sp)

	internalChain, hasInternal := svcChain, hasEndpoints
	if sp.internalLocal {
		internalChain, hasInternal = svlChain, len(local) > 0
	}
	externalChain, hasExternal := svcChain, hasEndpoints
	if sp.externalLocal {
		externalChain, hasExternal = svlChain, len(local) > 0
	}
	// The EXT chain is needed even without usable external endpoints:
	// its short-circuits for pod and host traffic still apply.
	usesExt := hasEndpoints && sp.externallyAccessible()
	lbChain := extChain
	usesFW := hasEndpoints && len(sp.lbIPs) > 0 && len(sp.lbSourceRanges) > 0
	if usesFW {
		lbChain = fwChain
	}

	// What to do, in filter, with packets no nat rule rewrote.
	var internalFilter, externalFilter, internalWhy, externalWhy string
	if !hasEndpoints {
		internalFilter, externalFilter = "REJECT", "REJECT"
		internalWhy = fmt.Sprintf(`"%s has no endpoints"`, sp.name)
		externalWhy = internalWhy
	} else {
		if !hasInternal {
			internalFilter, internalWhy = "DROP", fmt.Sprintf(`"%s has no local endpoints"`, sp.name)
		}
		if !hasExternal {
			externalFilter, externalWhy = "DROP", fmt.Sprintf(`"%s has no local endpoints"`, sp.name)
		}
	}

	// ClusterIP.
	clusterArgs := []string{"-m", "comment", "--comment", fmt.Sprintf(`"%s cluster IP"`, sp.name)}
	clusterArgs = append(clusterArgs, match...)
	clusterArgs = append(clusterArgs, "-d", sp.clusterIP, "--dport", port)
	if hasInternal {
		nat.add(chainServices, clusterArgs, "-j", internalChain)
	} else {
		filt.add(chainServices, "-m", "comment", "--comment", internalWhy, match, "-d", sp.clusterIP, "--dport", port, "-j", internalFilter)
	}

	// externalIPs.
	for _, ip := range sp.externalIPs {
		if hasEndpoints {
			nat.add(chainServices, "-m", "comment", "--comment", fmt.Sprintf(`"%s external IP"`, sp.name),
				match, "-d", ip, "--dport", port, "-j", extChain)
		}
		if !hasExternal {
			filt.add(chainExternalServices, "-m", "comment", "--comment", externalWhy,
				match, "-d", ip, "--dport", port, "-j", externalFilter)
		}
	}

	// LoadBalancer ingress IPs.
	for _, ip := range sp.lbIPs {
		if hasEndpoints {
			nat.add(chainServices, "-m", "comment", "--comment", fmt.Sprintf(`"%s loadbalancer IP"`, sp.name),
				match, "-d", ip, "--dport", port, "-j", lbChain)
		}
		if usesFW {
			filt.add(chainProxyFirewall, "-m", "comment", "--comment", fmt.Sprintf(`"%s traffic not accepted by %s"`, sp.name, fwChain),
				match, "-d", ip, "--dport", port, "-j", "DROP")
		}
		if !hasExternal {
			filt.add(chainExternalServices, "-m", "comment", "--comment", externalWhy,
				match, "-d", ip, "--dport", port, "-j", externalFilter)
		}
	}

	// NodePort, on every local address (the last rule of KUBE-SERVICES
	// sends those to KUBE-NODEPORTS).
	if sp.nodePort != 0 {
		nodePort := strconv.Itoa(int(sp.nodePort))
		if hasEndpoints {
			nat.add(chainNodePorts, "-m", "comment", "--comment", sp.name,
				match, "--dport", nodePort, "-j", extChain)
		}
		if !hasExternal {
			filt.add(chainExternalServices, "-m", "comment", "--comment", externalWhy,
				"-m", "addrtype", "--dst-type", "LOCAL", match, "--dport", nodePort, "-j", externalFilter)
		}
	}

	// Internal traffic from outside the cluster CIDR (the host itself, or
	// a router sending the service range to this node) may be answered by
	// an endpoint on another node: masquerade it so replies come back here.
	if hasInternal && clusterCIDR != "" {
		nat.add(internalChain, clusterArgs, "!", "-s", clusterCIDR, "-j", chainMarkMasq)
	}

	if usesExt {
		nat.chain(extChain)
		if !sp.externalLocal {
			// Endpoints may be on other nodes: masquerade, so the reply
			// comes back through this node.
			nat.add(extChain, "-m", "comment", "--comment", fmt.Sprintf(`"masquerade traffic for %s external destinations"`, sp.name), "-j", chainMarkMasq)
		} else {
			// Local policy keeps the client's address; but pods and the
			// node itself reaching an external address act as if they went
			// out to a load balancer and came back: any endpoint will do.
			if clusterCIDR != "" {
				nat.add(extChain, "-m", "comment", "--comment", fmt.Sprintf(`"pod traffic for %s external destinations"`, sp.name), "-s", clusterCIDR, "-j", svcChain)
			}
			nat.add(extChain, "-m", "comment", "--comment", fmt.Sprintf(`"masquerade LOCAL traffic for %s external destinations"`, sp.name), "-m", "addrtype", "--src-type", "LOCAL", "-j", chainMarkMasq)
			nat.add(extChain, "-m", "comment", "--comment", fmt.Sprintf(`"route LOCAL traffic for %s external destinations"`, sp.name), "-m", "addrtype", "--src-type", "LOCAL", "-j", svcChain)
		}
		if hasExternal {
			nat.add(extChain, "-j", externalChain)
		}
	}

	if usesFW {
		fwArgs := []string{"-m", "comment", "--comment", fmt.Sprintf(`"%s loadbalancer IP"`, sp.name)}
		fromNode := false
		for _, n := range sp.lbSourceRanges {
			nat.add(fwChain, fwArgs, "-s", n.String(), "-j", extChain)
			for _, ip := range nodeIPs {
				fromNode = fromNode || n.Contains(ip)
			}
		}
		// A node reaching an LB IP it holds itself comes from that IP.
		if fromNode {
			for _, ip := range sp.lbIPs {
				nat.add(fwChain, fwArgs, "-s", ip, "-j", extChain)
			}
		}
		// Whatever falls through is not DNATed, so KUBE-PROXY-FIREWALL
		// (filter) drops it.
		nat.add(fwChain, fwArgs, "-m", "comment", "--comment",
			fmt.Sprintf(`"other traffic to %s will be dropped by KUBE-PROXY-FIREWALL"`, sp.name))
	}

	// The policy chains: SVC (cluster) and SVL (local) spread traffic
	// over their endpoints.
	if len(cluster) > 0 && sp.usesCluster() {
		writeSpread(nat, sp, svcChain, cluster)
	}
	if len(local) > 0 && sp.usesLocal() {
		writeSpread(nat, sp, svlChain, local)
	}

	// One chain per endpoint: mark hairpin traffic (a pod reaching itself
	// through the service) for masquerade, record affinity, DNAT.
	for _, e := range reachable {
		sep := endpointChain(sp.name, proto, e.addr)
		comment := []string{"-m", "comment", "--comment", sp.name}
		nat.add(sep, comment, "-s", e.ip, "-j", chainMarkMasq)
		args := comment
		if sp.affinity > 0 {
			args = append(args, "-m", "recent", "--name", sep, "--set")
		}
		nat.add(sep, args, match, "-j", "DNAT", "--to-destination", e.addr)
	}
}

// writeSpread fills a policy chain: the affinity checks first (a client
// seen within the timeout goes back to its endpoint), then one rule per
// endpoint matching 1/n, 1/(n-1), ... of what is left, so each of the n
// endpoints gets an even share; the last one takes the rest.
func writeSpread(nat *Table, sp *servicePort, chain string, eps []endpoint) {
	nat.chain(chain)
	if sp.affinity > 0 {
		seconds := strconv.Itoa(int(sp.affinity))
		for _, e := range eps {
			sep := endpointChain(sp.name, sp.protocol, e.addr)
			nat.add(chain, "-m", "comment", "--comment", fmt.Sprintf(`"%s -> %s"`, sp.name, e.addr),
				"-m", "recent", "--name", sep, "--rcheck", "--seconds", seconds, "--reap", "-j", sep)
		}
	}
	n := len(eps)
	for i, e := range eps {
		sep := endpointChain(sp.name, sp.protocol, e.addr)
		args := []string{"-m", "comment", "--comment", fmt.Sprintf(`"%s -> %s"`, sp.name, e.addr)}
		if i < n-1 {
			args = append(args, "-m", "statistic", "--mode", "random", "--probability", probability(n-i))
		}
		nat.add(chain, args, "-j", sep)
	}
}

// probability is 1/n with upstream's ten decimals (iptables keeps about
// that much precision).
func probability(n int) string { return fmt.Sprintf("%0.10f", 1.0/float64(n)) }
