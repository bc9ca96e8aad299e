package pki

import (
	"net"
	"net/netip"
	"strings"
)

// names is the set of subject alternative names a certificate must carry,
// split the way x509 wants them. Order is kept (first seen wins) so the
// issued certificate is stable and readable.
type names struct {
	dns []string
	ips []net.IP
}

// add files each value as an IP if it parses as one, otherwise as a DNS name.
// Empty values and duplicates are skipped, so callers can pass optional
// settings (a nil node IP, an empty hostname) without checks.
func (n *names) add(values ...string) {
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if ip := net.ParseIP(v); ip != nil {
			n.addIP(ip)
			continue
		}
		v = strings.ToLower(v)
		if !containsFold(n.dns, v) {
			n.dns = append(n.dns, v)
		}
	}
}

func (n *names) addIP(ips ...net.IP) {
	for _, ip := range ips {
		if ip == nil || containsIP(n.ips, ip) {
			continue
		}
		if v4 := ip.To4(); v4 != nil {
			ip = v4 // one canonical form, so 10.0.0.1 is not listed twice
		}
		n.ips = append(n.ips, ip)
	}
}

// missingFrom lists the wanted names absent from the given SAN lists; a
// certificate that lacks none of them can be kept.
func (n names) missingFrom(dns []string, ips []net.IP) []string {
	var missing []string
	for _, d := range n.dns {
		if !containsFold(dns, d) {
			missing = append(missing, d)
		}
	}
	for _, ip := range n.ips {
		if !containsIP(ips, ip) {
			missing = append(missing, ip.String())
		}
	}
	return missing
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func containsIP(list []net.IP, ip net.IP) bool {
	for _, v := range list {
		if v.Equal(ip) {
			return true
		}
	}
	return false
}

// firstIP is the first usable address of a CIDR (10.43.0.0/16 -> 10.43.0.1):
// the ClusterIP of the "kubernetes" service, which in-cluster clients dial.
func firstIP(cidr *net.IPNet) net.IP {
	if cidr == nil {
		return nil
	}
	p, err := netip.ParsePrefix(cidr.String())
	if err != nil {
		return nil
	}
	return net.IP(p.Masked().Addr().Next().AsSlice())
}

// servingNames are the SANs of the API server's serving certificate: every
// name a client may use to reach it, from loopback to the in-cluster service.
func (o Options) servingNames() names {
	var n names
	n.add("127.0.0.1", "::1", "localhost")
	n.addIP(o.NodeIP)
	n.add(o.Hostname)
	domain := o.ClusterDomain
	if domain == "" {
		domain = "cluster.local"
	}
	n.add("kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc."+domain)
	n.addIP(firstIP(o.ServiceCIDR))
	n.add(o.SANs...)
	return n
}

// etcdNames are the SANs of etcd's serving and peer certificates: loopback
// for the local API server, node IP and hostname for other members.
func (o Options) etcdNames() names {
	var n names
	n.add("127.0.0.1", "::1", "localhost")
	n.addIP(o.NodeIP)
	n.add(o.Hostname)
	return n
}
