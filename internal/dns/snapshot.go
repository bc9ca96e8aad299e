package dns

import (
	"cmp"
	"net"
	"slices"
	"strings"

	mdns "github.com/miekg/dns"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// Snapshot is an immutable index of the cluster's services and endpoints,
// built whole on every change and read without locks by the query path.
type Snapshot struct {
	zone   string // "cluster.local." (lower case, fully qualified)
	ttl    uint32
	serial uint32
	// services by "<name>.<namespace>".
	services map[string]*service
	// namespaces that have at least one service.
	namespaces map[string]bool
	// reverse maps a reverse name ("10.0.43.10.in-addr.arpa.") to the
	// fully qualified name it points to.
	reverse map[string]string
}

type kind int

const (
	clusterIP kind = iota
	headless
	externalName
)

type service struct {
	name, namespace string
	fqdn            string // <name>.<namespace>.svc.<zone>
	kind            kind
	ips             []net.IP // ClusterIPs
	externalName    string   // fully qualified
	ports           []port
	// endpoints are the ready endpoints of every slice, by name (hostname,
	// or the dashed address); one name may have several addresses (an
	// IPv4 and an IPv6 slice for one pod).
	endpoints map[string]*endpoint
	// order is the endpoints' names in a stable order.
	order []string
}

type port struct {
	name     string // lower case
	protocol string // "tcp", "udp", "sctp"
	port     uint16
}

type endpoint struct {
	name  string
	ips   []net.IP
	ports []port
}

// Build indexes services and their EndpointSlices (slices are matched by
// namespace and the kubernetes.io/service-name label) for zone, with ttl
// (seconds) on every record and serial in the zone's SOA.
func Build(zone string, ttl, serial uint32, services []*corev1.Service, endpointSlices []*discoveryv1.EndpointSlice) *Snapshot {
	return newIndexer(zone, ttl).build(serial, services, endpointSlices)
}

// indexer builds Snapshots one after another, reusing a service's entry
// while neither the Service nor any of its slices changed (same
// resourceVersions): after one change only that service is indexed again.
type indexer struct {
	zone    string
	ttl     uint32
	entries map[string]entry // by namespace/name
}

type entry struct {
	fingerprint string // "" (objects without resourceVersion): never reused
	svc         *service
	// reverse names of its ClusterIPs, and of its endpoints (headless).
	clusterIPs, endpoints []reverseName
}

type reverseName struct{ arpa, target string }

func newIndexer(zone string, ttl uint32) *indexer {
	return &indexer{zone: mdns.Fqdn(strings.ToLower(zone)), ttl: ttl, entries: map[string]entry{}}
}

func (ix *indexer) build(serial uint32, services []*corev1.Service, endpointSlices []*discoveryv1.EndpointSlice) *Snapshot {
	s := &Snapshot{
		zone:       ix.zone,
		ttl:        ix.ttl,
		serial:     serial,
		services:   make(map[string]*service, len(services)),
		namespaces: map[string]bool{},
	}
	bySvc := map[string][]*discoveryv1.EndpointSlice{}
	for _, sl := range endpointSlices {
		key := sl.Namespace + "/" + sl.Labels[discoveryv1.LabelServiceName]
		bySvc[key] = append(bySvc[key], sl)
	}
	sorted := slices.Clone(services)
	slices.SortFunc(sorted, func(a, b *corev1.Service) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	next := make(map[string]entry, len(services))
	order := make([]entry, 0, len(sorted))
	for _, svc := range sorted {
		key := svc.Namespace + "/" + svc.Name
		group := bySvc[key]
		// Slices in a stable order, so that which slice wins an
		// endpoint name that two carry does not depend on the
		// informer's order.
		slices.SortFunc(group, func(a, b *discoveryv1.EndpointSlice) int { return strings.Compare(a.Name, b.Name) })
		fp := fingerprint(svc, group)
		e, ok := ix.entries[key]
		if !ok || fp == "" || e.fingerprint != fp {
			e = newEntry(svc, group, ix.zone)
			e.fingerprint = fp
		}
		next[key] = e
		order = append(order, e)
		s.services[e.svc.name+"."+e.svc.namespace] = e.svc
		s.namespaces[e.svc.namespace] = true
	}
	ix.entries = next
	n := 0
	for _, e := range order {
		n += len(e.clusterIPs) + len(e.endpoints)
	}
	s.reverse = make(map[string]string, n)
	// ClusterIPs first: an address that is both a ClusterIP and an
	// endpoint (it should not be) names the service.
	for _, e := range order {
		for _, r := range e.clusterIPs {
			s.reverse[r.arpa] = r.target
		}
	}
	for _, e := range order {
		for _, r := range e.endpoints {
			if _, taken := s.reverse[r.arpa]; !taken {
				s.reverse[r.arpa] = r.target
			}
		}
	}
	return s
}

// fingerprint is the resourceVersions of a service and its slices; ""
// when one has none (objects made in tests).
func fingerprint(svc *corev1.Service, group []*discoveryv1.EndpointSlice) string {
	if svc.ResourceVersion == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString(svc.ResourceVersion)
	for _, sl := range group {
		if sl.ResourceVersion == "" {
			return ""
		}
		b.WriteString("|")
		b.WriteString(sl.Name)
		b.WriteString("@")
		b.WriteString(sl.ResourceVersion)
	}
	return b.String()
}

func newEntry(svc *corev1.Service, group []*discoveryv1.EndpointSlice, zone string) entry {
	e := newService(svc, zone)
	if e.kind != externalName {
		for _, sl := range group {
			e.addSlice(sl)
		}
	}
	out := entry{svc: e}
	for _, ip := range e.ips {
		if r, err := mdns.ReverseAddr(ip.String()); err == nil {
			out.clusterIPs = append(out.clusterIPs, reverseName{r, e.fqdn})
		}
	}
	if e.kind == headless {
		for _, name := range e.order {
			for _, ip := range e.endpoints[name].ips {
				if r, err := mdns.ReverseAddr(ip.String()); err == nil {
					out.endpoints = append(out.endpoints, reverseName{r, name + "." + e.fqdn})
				}
			}
		}
	}
	return out
}

func newService(svc *corev1.Service, zone string) *service {
	e := &service{
		name:      strings.ToLower(svc.Name),
		namespace: strings.ToLower(svc.Namespace),
		endpoints: map[string]*endpoint{},
	}
	e.fqdn = e.name + "." + e.namespace + ".svc." + zone
	switch {
	case svc.Spec.Type == corev1.ServiceTypeExternalName:
		e.kind = externalName
		e.externalName = mdns.Fqdn(strings.ToLower(svc.Spec.ExternalName))
	case svc.Spec.ClusterIP == corev1.ClusterIPNone:
		e.kind = headless
	default:
		ips := svc.Spec.ClusterIPs
		if len(ips) == 0 && svc.Spec.ClusterIP != "" {
			ips = []string{svc.Spec.ClusterIP}
		}
		for _, s := range ips {
			if ip := net.ParseIP(s); ip != nil {
				e.ips = append(e.ips, ip)
			}
		}
		if len(e.ips) == 0 {
			e.kind = headless // not allocated yet: only its endpoints can answer
		}
	}
	for _, p := range svc.Spec.Ports {
		e.ports = append(e.ports, port{name: strings.ToLower(p.Name), protocol: protocol(p.Protocol), port: uint16(p.Port)})
	}
	return e
}

func protocol(p corev1.Protocol) string {
	if p == "" {
		return "tcp"
	}
	return strings.ToLower(string(p))
}

func (e *service) addSlice(sl *discoveryv1.EndpointSlice) {
	var ports []port
	for _, p := range sl.Ports {
		if p.Port == nil {
			continue
		}
		pr := corev1.ProtocolTCP
		if p.Protocol != nil {
			pr = *p.Protocol
		}
		name := ""
		if p.Name != nil {
			name = strings.ToLower(*p.Name)
		}
		ports = append(ports, port{name: name, protocol: protocol(pr), port: uint16(*p.Port)})
	}
	for _, ep := range sl.Endpoints {
		if ep.Conditions.Ready != nil && !*ep.Conditions.Ready {
			continue
		}
		for _, a := range ep.Addresses {
			ip := net.ParseIP(a)
			if ip == nil {
				continue
			}
			name := dashed(ip)
			if ep.Hostname != nil && *ep.Hostname != "" {
				name = strings.ToLower(*ep.Hostname)
			}
			x := e.endpoints[name]
			if x == nil {
				x = &endpoint{name: name}
				e.endpoints[name] = x
				e.order = append(e.order, name)
			}
			if !slices.ContainsFunc(x.ips, ip.Equal) {
				x.ips = append(x.ips, ip)
			}
			for _, p := range ports {
				if !slices.Contains(x.ports, p) {
					x.ports = append(x.ports, p)
				}
			}
		}
	}
}

// dashed is an address as one DNS label: 10-42-0-5, 2001-db8--1.
func dashed(ip net.IP) string {
	s := ip.String()
	if ip.To4() != nil {
		return strings.ReplaceAll(s, ".", "-")
	}
	return strings.ReplaceAll(s, ":", "-")
}

// undashed parses a dashed address label back; nil if it is not one.
func undashed(label string) net.IP {
	if strings.Count(label, "-") == 3 && !strings.Contains(label, ":") {
		if ip := net.ParseIP(strings.ReplaceAll(label, "-", ".")); ip != nil && ip.To4() != nil {
			return ip
		}
	}
	if ip := net.ParseIP(strings.ReplaceAll(label, "-", ":")); ip != nil && ip.To4() == nil {
		return ip
	}
	return nil
}
