package dns

import (
	"net"
	"strings"

	mdns "github.com/miekg/dns"
)

// Action says what the server does with Answer's reply.
type Action int

const (
	// Reply: send the reply as it is.
	Reply Action = iota
	// Forward: the name is not the cluster's; ask the upstream resolvers
	// (the reply is nil).
	Forward
	// Chase: the reply ends in a CNAME to a name outside the cluster
	// (an ExternalName service); resolve Target upstream and append its
	// records before sending.
	Chase
)

// Result is what Answer decided.
type Result struct {
	Msg    *mdns.Msg
	Action Action
	Target string // for Chase
}

// maxChase bounds CNAME chains inside the zone (ExternalName services
// pointing at each other).
const maxChase = 8

// Answer answers req (one question) from the snapshot. It is pure: the
// same snapshot and question always give the same reply.
func Answer(s *Snapshot, req *mdns.Msg) Result {
	m := new(mdns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = true
	if len(req.Question) != 1 || req.Opcode != mdns.OpcodeQuery {
		m.Rcode = mdns.RcodeNotImplemented
		if len(req.Question) != 1 {
			m.Rcode = mdns.RcodeFormatError
		}
		return Result{Msg: m}
	}
	q := req.Question[0]
	if q.Qclass != mdns.ClassINET && q.Qclass != mdns.ClassANY {
		return Result{Action: Forward}
	}
	name := mdns.Fqdn(strings.ToLower(q.Name))
	switch {
	case mdns.IsSubDomain(s.zone, name):
		m.Authoritative = true
		return s.inZone(m, q.Name, name, q.Qtype, 0)
	case strings.HasSuffix(name, ".in-addr.arpa.") || strings.HasSuffix(name, ".ip6.arpa."):
		target, ok := s.reverse[name]
		if !ok {
			return Result{Action: Forward} // CoreDNS's fallthrough for reverse zones
		}
		m.Authoritative = true
		if q.Qtype == mdns.TypePTR || q.Qtype == mdns.TypeANY {
			m.Answer = append(m.Answer, &mdns.PTR{Hdr: s.hdr(q.Name, mdns.TypePTR), Ptr: target})
		} else {
			s.nodata(m)
		}
		return Result{Msg: m}
	default:
		return Result{Action: Forward}
	}
}

// inZone answers name (lower case; owner is the name as asked) inside the
// cluster zone, following CNAMEs of ExternalName services within it.
func (s *Snapshot) inZone(m *mdns.Msg, owner, name string, qtype uint16, depth int) Result {
	labels := mdns.SplitDomainName(strings.TrimSuffix(strings.TrimSuffix(name, s.zone), "."))
	if name == s.zone {
		labels = nil
	}
	n := len(labels)
	switch {
	case n == 0:
		switch qtype {
		case mdns.TypeSOA:
			m.Answer = append(m.Answer, s.soa())
		case mdns.TypeNS:
			m.Answer = append(m.Answer, &mdns.NS{Hdr: s.hdr(owner, mdns.TypeNS), Ns: "ns.dns." + s.zone})
		default:
			s.nodata(m)
		}
		return Result{Msg: m}
	case labels[n-1] == "svc":
		return s.svcName(m, owner, labels[:n-1], qtype, depth)
	case labels[n-1] == "pod":
		return s.podName(m, owner, labels[:n-1], qtype)
	}
	return s.nxdomain(m)
}

// svcName answers <...>.svc.<zone>; labels are the ones before "svc".
func (s *Snapshot) svcName(m *mdns.Msg, owner string, labels []string, qtype uint16, depth int) Result {
	switch len(labels) {
	case 0: // svc.<zone>
		return s.nodata(m)
	case 1: // <ns>.svc.<zone>
		if s.namespaces[labels[0]] {
			return s.nodata(m)
		}
		return s.nxdomain(m)
	}
	svc := s.services[labels[len(labels)-2]+"."+labels[len(labels)-1]]
	if svc == nil {
		return s.nxdomain(m)
	}
	switch len(labels) {
	case 2:
		return s.serviceRecords(m, owner, svc, qtype, depth)
	case 3:
		if ep := svc.endpoints[labels[0]]; ep != nil {
			s.addresses(m, owner, ep.ips, qtype)
			return Result{Msg: m}
		}
		if strings.HasPrefix(labels[0], "_") && svc.hasProtocol(labels[0][1:]) {
			return s.nodata(m) // _tcp.<svc>...: the parent of SRV names
		}
	case 4:
		if strings.HasPrefix(labels[0], "_") && strings.HasPrefix(labels[1], "_") {
			return s.srv(m, owner, svc, labels[0][1:], labels[1][1:], qtype)
		}
	}
	return s.nxdomain(m)
}

func (s *Snapshot) serviceRecords(m *mdns.Msg, owner string, svc *service, qtype uint16, depth int) Result {
	switch svc.kind {
	case externalName:
		m.Answer = append(m.Answer, &mdns.CNAME{Hdr: s.hdr(owner, mdns.TypeCNAME), Target: svc.externalName})
		if qtype == mdns.TypeCNAME {
			return Result{Msg: m}
		}
		if mdns.IsSubDomain(s.zone, svc.externalName) {
			if depth >= maxChase {
				m.Rcode = mdns.RcodeServerFailure
				return Result{Msg: m}
			}
			r := s.inZone(m, svc.externalName, svc.externalName, qtype, depth+1)
			// The chain's answers stay; its NXDOMAIN is the name's.
			return r
		}
		if qtype == mdns.TypeA || qtype == mdns.TypeAAAA {
			return Result{Msg: m, Action: Chase, Target: svc.externalName}
		}
		return Result{Msg: m}
	case headless:
		if qtype == mdns.TypeSRV {
			return s.srv(m, owner, svc, "", "", qtype)
		}
		var ips []net.IP
		for _, name := range svc.order {
			ips = append(ips, svc.endpoints[name].ips...)
		}
		s.addresses(m, owner, ips, qtype)
	default:
		if qtype == mdns.TypeSRV {
			return s.srv(m, owner, svc, "", "", qtype)
		}
		s.addresses(m, owner, svc.ips, qtype)
	}
	return Result{Msg: m}
}

// srv answers SRV for the service's ports named portName over protocol
// (both empty: every named port).
func (s *Snapshot) srv(m *mdns.Msg, owner string, svc *service, portName, protocol string, qtype uint16) Result {
	type target struct {
		name string
		port uint16
		ips  []net.IP
	}
	var targets []target
	match := func(p port) bool {
		if portName == "" {
			return p.name != ""
		}
		return p.name == portName && p.protocol == protocol
	}
	if svc.kind == headless {
		for _, name := range svc.order {
			ep := svc.endpoints[name]
			for _, p := range ep.ports {
				if match(p) {
					targets = append(targets, target{name + "." + svc.fqdn, p.port, ep.ips})
				}
			}
		}
	} else if svc.kind == clusterIP {
		for _, p := range svc.ports {
			if match(p) {
				targets = append(targets, target{svc.fqdn, p.port, svc.ips})
			}
		}
	}
	if portName != "" && len(targets) == 0 && !svc.hasPort(portName, protocol) {
		return s.nxdomain(m)
	}
	if qtype != mdns.TypeSRV && qtype != mdns.TypeANY {
		return s.nodata(m)
	}
	if len(targets) == 0 {
		return s.nodata(m)
	}
	weight := uint16(max(1, 100/len(targets)))
	added := map[string]bool{}
	for _, t := range targets {
		m.Answer = append(m.Answer, &mdns.SRV{Hdr: s.hdr(owner, mdns.TypeSRV), Priority: 0, Weight: weight, Port: t.port, Target: t.name})
		if added[t.name] {
			continue
		}
		added[t.name] = true
		for _, ip := range t.ips {
			m.Extra = append(m.Extra, s.address(t.name, ip))
		}
	}
	return Result{Msg: m}
}

func (svc *service) hasPort(name, protocol string) bool {
	for _, p := range svc.ports {
		if p.name == name && p.protocol == protocol {
			return true
		}
	}
	return false
}

func (svc *service) hasProtocol(protocol string) bool {
	for _, p := range svc.ports {
		if p.protocol == protocol && p.name != "" {
			return true
		}
	}
	return false
}

// podName answers <a-b-c-d>.<ns>.pod.<zone> ("pods insecure": the name
// spells its address, nothing is checked); labels are the ones before
// "pod".
func (s *Snapshot) podName(m *mdns.Msg, owner string, labels []string, qtype uint16) Result {
	switch len(labels) {
	case 0, 1:
		return s.nodata(m)
	case 2:
		if ip := undashed(labels[0]); ip != nil {
			s.addresses(m, owner, []net.IP{ip}, qtype)
			return Result{Msg: m}
		}
	}
	return s.nxdomain(m)
}

// addresses answers the A (or AAAA) records among ips; NODATA when there
// is none of the asked type.
func (s *Snapshot) addresses(m *mdns.Msg, owner string, ips []net.IP, qtype uint16) {
	for _, ip := range ips {
		v4 := ip.To4() != nil
		if (qtype == mdns.TypeA && v4) || (qtype == mdns.TypeAAAA && !v4) || qtype == mdns.TypeANY {
			m.Answer = append(m.Answer, s.address(owner, ip))
		}
	}
	if len(m.Answer) == 0 {
		s.nodata(m)
	}
}

func (s *Snapshot) address(owner string, ip net.IP) mdns.RR {
	if v4 := ip.To4(); v4 != nil {
		return &mdns.A{Hdr: s.hdr(owner, mdns.TypeA), A: v4}
	}
	return &mdns.AAAA{Hdr: s.hdr(owner, mdns.TypeAAAA), AAAA: ip}
}

func (s *Snapshot) hdr(owner string, t uint16) mdns.RR_Header {
	return mdns.RR_Header{Name: mdns.Fqdn(owner), Rrtype: t, Class: mdns.ClassINET, Ttl: s.ttl}
}

func (s *Snapshot) soa() *mdns.SOA {
	return &mdns.SOA{
		Hdr:     s.hdr(s.zone, mdns.TypeSOA),
		Ns:      "ns.dns." + s.zone,
		Mbox:    "hostmaster." + s.zone,
		Serial:  s.serial,
		Refresh: 7200,
		Retry:   1800,
		Expire:  86400,
		Minttl:  s.ttl,
	}
}

// nodata: the name exists, without records of the asked type.
func (s *Snapshot) nodata(m *mdns.Msg) Result {
	if len(m.Answer) == 0 {
		m.Ns = []mdns.RR{s.soa()}
	}
	return Result{Msg: m}
}

// nxdomain: no such name. After a CNAME (an ExternalName chain) the
// CNAME stays in the answer, as RFC 6604 has it.
func (s *Snapshot) nxdomain(m *mdns.Msg) Result {
	m.Rcode = mdns.RcodeNameError
	m.Ns = []mdns.RR{s.soa()}
	return Result{Msg: m}
}
