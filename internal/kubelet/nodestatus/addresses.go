package nodestatus

import (
	"net"

	v1 "k8s.io/api/core/v1"
)

// addresses are the node's InternalIPs, then its Hostname, as upstream.
// Without configured IPs the first global unicast address of the host is
// used (IPv4 first).
func addresses(ips []net.IP, hostname string) []v1.NodeAddress {
	if len(ips) == 0 {
		if ip := hostIP(); ip != nil {
			ips = []net.IP{ip}
		}
	}
	var out []v1.NodeAddress
	seen := map[string]bool{}
	for _, ip := range ips {
		s := ip.String()
		if ip == nil || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, v1.NodeAddress{Type: v1.NodeInternalIP, Address: s})
	}
	if hostname != "" {
		out = append(out, v1.NodeAddress{Type: v1.NodeHostName, Address: hostname})
	}
	return out
}

// hostIP picks the host's first global unicast address, IPv4 before IPv6.
func hostIP() net.IP {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var v6 net.IP
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok || !n.IP.IsGlobalUnicast() {
			continue
		}
		if n.IP.To4() != nil {
			return n.IP
		}
		if v6 == nil {
			v6 = n.IP
		}
	}
	return v6
}
