package proxy

import (
	"net"
	"slices"
	"strconv"
	"strings"

	v1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// Labels that take a Service or slice away from this proxy, as upstream.
const (
	labelServiceProxyName = "service.kubernetes.io/service-proxy-name"
	labelHeadless         = "service.kubernetes.io/headless"
)

// defaultAffinitySeconds is ClientIP affinity's timeout when the Service
// does not set one (upstream's default, three hours).
const defaultAffinitySeconds = 10800

// servicePort is one port of one Service, in one IP family, with
// everything the rule builder needs and nothing else.
type servicePort struct {
	name           string // "namespace/name:port" (":port" left out when the port is unnamed)
	protocol       string // "tcp", "udp" or "sctp"
	clusterIP      string
	port           int32
	nodePort       int32
	externalIPs    []string
	lbIPs          []string
	lbSourceRanges []*net.IPNet
	affinity       int32 // ClientIP affinity timeout in seconds; 0: none
	internalLocal  bool  // internalTrafficPolicy Local
	externalLocal  bool  // externalTrafficPolicy Local, and reachable from outside
	endpoints      []endpoint
}

// externallyAccessible: the port answers on some address other than its
// ClusterIP.
func (sp *servicePort) externallyAccessible() bool {
	return sp.nodePort != 0 || len(sp.externalIPs) > 0 || len(sp.lbIPs) > 0
}

// usesCluster and usesLocal say which of the two policy chains (SVC,
// SVL) some traffic to the port is sent to.
func (sp *servicePort) usesCluster() bool {
	return !sp.internalLocal || (sp.externallyAccessible() && !sp.externalLocal)
}

func (sp *servicePort) usesLocal() bool {
	return sp.internalLocal || (sp.externallyAccessible() && sp.externalLocal)
}

// endpoint is one address:port behind a service port.
type endpoint struct {
	ip          string
	addr        string // "ip:port", "[ip]:port" for IPv6
	local       bool   // on this node
	ready       bool
	serving     bool
	terminating bool
}

// slicesByService groups the slices of family by "namespace/service",
// each group sorted by name (so the same objects compare equal across
// builds, whatever order a lister gives them in).
func slicesByService(family v1.IPFamily, eps []*discoveryv1.EndpointSlice) map[string][]*discoveryv1.EndpointSlice {
	wantType := discoveryv1.AddressTypeIPv4
	if family == v1.IPv6Protocol {
		wantType = discoveryv1.AddressTypeIPv6
	}
	byService := map[string][]*discoveryv1.EndpointSlice{}
	for _, s := range eps {
		svc := s.Labels[discoveryv1.LabelServiceName]
		if svc == "" || s.AddressType != wantType || s.Labels[labelServiceProxyName] != "" {
			continue
		}
		key := s.Namespace + "/" + svc
		byService[key] = append(byService[key], s)
	}
	for _, group := range byService {
		slices.SortFunc(group, func(a, b *discoveryv1.EndpointSlice) int { return strings.Compare(a.Name, b.Name) })
	}
	return byService
}

// portsOf is the service ports of svc in family, sorted by name and
// protocol, each with its endpoints (from eps, the service's slices)
// sorted by address. None for headless and ExternalName Services,
// Services without an address of the family, and those another proxy
// owns.
func portsOf(family v1.IPFamily, svc *v1.Service, eps []*discoveryv1.EndpointSlice, nodeName string) []servicePort {
	if svc.Spec.Type == v1.ServiceTypeExternalName || svc.Labels[labelServiceProxyName] != "" {
		return nil
	}
	clusterIP := ipOfFamily(family, svc.Spec.ClusterIPs, svc.Spec.ClusterIP)
	if clusterIP == "" {
		return nil // headless, or not of this family
	}
	externalIPs := ipsOfFamily(family, svc.Spec.ExternalIPs)
	var lbIPs []string
	if svc.Spec.Type == v1.ServiceTypeLoadBalancer {
		for _, ing := range svc.Status.LoadBalancer.Ingress {
			// An LB in Proxy mode sends traffic to the node's
			// addresses, not to its own IP: nothing to capture.
			if ing.IP == "" || (ing.IPMode != nil && *ing.IPMode == v1.LoadBalancerIPModeProxy) {
				continue
			}
			lbIPs = append(lbIPs, ipsOfFamily(family, []string{ing.IP})...)
		}
	}
	var sourceRanges []*net.IPNet
	for _, r := range svc.Spec.LoadBalancerSourceRanges {
		if _, n, err := net.ParseCIDR(strings.TrimSpace(r)); err == nil && isFamily(family, n.IP) {
			sourceRanges = append(sourceRanges, n)
		}
	}
	var affinity int32
	if svc.Spec.SessionAffinity == v1.ServiceAffinityClientIP {
		affinity = defaultAffinitySeconds
		if c := svc.Spec.SessionAffinityConfig; c != nil && c.ClientIP != nil && c.ClientIP.TimeoutSeconds != nil {
			affinity = *c.ClientIP.TimeoutSeconds
		}
	}
	var out []servicePort
	for _, p := range svc.Spec.Ports {
		sp := servicePort{
			name:           svc.Namespace + "/" + svc.Name,
			protocol:       strings.ToLower(string(p.Protocol)),
			clusterIP:      clusterIP,
			port:           p.Port,
			externalIPs:    externalIPs,
			lbIPs:          lbIPs,
			lbSourceRanges: sourceRanges,
			affinity:       affinity,
		}
		if sp.protocol == "" {
			sp.protocol = "tcp"
		}
		if p.Name != "" {
			sp.name += ":" + p.Name
		}
		if svc.Spec.Type == v1.ServiceTypeNodePort || svc.Spec.Type == v1.ServiceTypeLoadBalancer {
			sp.nodePort = p.NodePort
		}
		sp.internalLocal = svc.Spec.InternalTrafficPolicy != nil && *svc.Spec.InternalTrafficPolicy == v1.ServiceInternalTrafficPolicyLocal
		sp.externalLocal = sp.externallyAccessible() && svc.Spec.ExternalTrafficPolicy == v1.ServiceExternalTrafficPolicyLocal
		sp.endpoints = endpointsOf(eps, p, nodeName)
		out = append(out, sp)
	}
	slices.SortFunc(out, func(a, b servicePort) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.protocol, b.protocol)
	})
	return out
}

// endpointsOf is every endpoint of the slices that serves port p (matched
// by port name and protocol), one per address, sorted.
func endpointsOf(eps []*discoveryv1.EndpointSlice, p v1.ServicePort, nodeName string) []endpoint {
	proto := p.Protocol
	if proto == "" {
		proto = v1.ProtocolTCP
	}
	seen := map[string]int{}
	var out []endpoint
	for _, s := range eps {
		for _, sport := range s.Ports {
			name := ""
			if sport.Name != nil {
				name = *sport.Name
			}
			sproto := v1.ProtocolTCP
			if sport.Protocol != nil {
				sproto = *sport.Protocol
			}
			if name != p.Name || sproto != proto || sport.Port == nil {
				continue
			}
			for _, e := range s.Endpoints {
				if len(e.Addresses) == 0 {
					continue
				}
				ip := e.Addresses[0]
				ep := endpoint{
					ip:    ip,
					addr:  net.JoinHostPort(ip, strconv.Itoa(int(*sport.Port))),
					local: e.NodeName != nil && *e.NodeName == nodeName,
					// Unknown readiness counts as ready, as upstream.
					ready:       e.Conditions.Ready == nil || *e.Conditions.Ready,
					terminating: e.Conditions.Terminating != nil && *e.Conditions.Terminating,
				}
				ep.serving = ep.ready
				if e.Conditions.Serving != nil {
					ep.serving = *e.Conditions.Serving
				}
				// The same address in two slices (while the slice
				// controller moves it): the ready one wins.
				if i, dup := seen[ep.addr]; dup {
					if !out[i].ready && ep.ready {
						out[i] = ep
					}
					continue
				}
				seen[ep.addr] = len(out)
				out = append(out, ep)
			}
		}
	}
	slices.SortFunc(out, func(a, b endpoint) int { return strings.Compare(a.addr, b.addr) })
	return out
}

// categorize splits a port's endpoints as upstream: the ones cluster
// traffic policy uses (ready ones anywhere, or if there are none, serving
// terminating ones), the ones local policy uses (this node's ready ones, or
// its serving terminating ones), the union of both (each gets a KUBE-SEP
// chain), and whether the port has any usable endpoint at all.
func categorize(sp *servicePort) (cluster, local, reachable []endpoint, any bool) {
	if sp.usesCluster() {
		cluster = filter(sp.endpoints, func(e endpoint) bool { return e.ready })
		if len(cluster) == 0 {
			cluster = filter(sp.endpoints, func(e endpoint) bool { return e.serving && e.terminating })
		}
		any = len(cluster) > 0
	}
	if !sp.usesLocal() {
		return cluster, nil, cluster, any
	}
	var localReady, localTerminating bool
	for _, e := range sp.endpoints {
		switch {
		case e.ready:
			any = true
			localReady = localReady || e.local
		case e.serving && e.terminating:
			any = true
			localTerminating = localTerminating || e.local
		}
	}
	switch {
	case localReady:
		local = filter(sp.endpoints, func(e endpoint) bool { return e.local && e.ready })
	case localTerminating:
		local = filter(sp.endpoints, func(e endpoint) bool { return e.local && e.serving && e.terminating })
	}
	if !sp.usesCluster() {
		return nil, local, local, any
	}
	// Both: the union, in address order (local ones are a subset of the
	// ready or terminating ones, unless cluster fell back differently).
	reachable = append([]endpoint(nil), cluster...)
	for _, e := range local {
		if !slices.ContainsFunc(reachable, func(r endpoint) bool { return r.addr == e.addr }) {
			reachable = append(reachable, e)
		}
	}
	slices.SortFunc(reachable, func(a, b endpoint) int { return strings.Compare(a.addr, b.addr) })
	return cluster, local, reachable, any
}

func filter(eps []endpoint, keep func(endpoint) bool) []endpoint {
	var out []endpoint
	for _, e := range eps {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

func isFamily(family v1.IPFamily, ip net.IP) bool {
	if ip == nil {
		return false
	}
	return (ip.To4() != nil) == (family != v1.IPv6Protocol)
}

// ipOfFamily is the first of ips (or single, when ips is empty) of family,
// in canonical form; "" when there is none (or it is "None").
func ipOfFamily(family v1.IPFamily, ips []string, single string) string {
	if len(ips) == 0 && single != "" {
		ips = []string{single}
	}
	if got := ipsOfFamily(family, ips); len(got) > 0 {
		return got[0]
	}
	return ""
}

func ipsOfFamily(family v1.IPFamily, ips []string) []string {
	var out []string
	for _, s := range ips {
		ip := net.ParseIP(strings.TrimSpace(s))
		if isFamily(family, ip) {
			out = append(out, ip.String())
		}
	}
	return out
}
