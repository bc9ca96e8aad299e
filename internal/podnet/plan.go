package podnet

import (
	"net"
	"sort"

	v1 "k8s.io/api/core/v1"
)

// Backend names, as --network-backend takes them.
const (
	BackendVXLAN  = "vxlan"
	BackendHostGW = "host-gw"
	BackendNone   = "none"
)

// Node annotations a vxlan node publishes about its VTEP.
const (
	AnnotationVTEPMAC = "hanok.dev/vtep-mac"
)

// peer is another node's pod network as this node needs it.
type peer struct {
	Name    string
	NodeIP  net.IP
	PodCIDR *net.IPNet
	VTEPMAC net.HardwareAddr // vxlan only
}

// Route is one route this node wants: Dst via Gateway, on the VXLAN
// device (OnLink, Gateway = the peer's VTEP address) or through the host's
// own routes (host-gw).
type Route struct {
	Dst     *net.IPNet
	Gateway net.IP
	VXLAN   bool
}

// Neighbour maps a peer's VTEP address to its MAC, and FDB sends that MAC
// to the peer's node IP (vxlan).
type Neighbour struct {
	IP     net.IP
	MAC    net.HardwareAddr
	NodeIP net.IP
}

// Plan is everything the kernel must hold for the current node list.
type Plan struct {
	Routes     []Route
	Neighbours []Neighbour
}

// peers lists the other nodes that have a pod CIDR and an IPv4 address
// (and, for vxlan, a published VTEP MAC), by name.
func peers(nodes []*v1.Node, self, backend string) []peer {
	var out []peer
	for _, n := range nodes {
		if n.Name == self || n.DeletionTimestamp != nil {
			continue
		}
		cidr := podCIDRv4(n)
		ip := internalIPv4(n)
		if cidr == nil || ip == nil {
			continue
		}
		p := peer{Name: n.Name, NodeIP: ip, PodCIDR: cidr}
		if backend == BackendVXLAN {
			mac, err := net.ParseMAC(n.Annotations[AnnotationVTEPMAC])
			if err != nil {
				continue // its agent has not published its VTEP yet
			}
			p.VTEPMAC = mac
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Desired is the plan for this node.
func Desired(nodes []*v1.Node, self, backend string) Plan {
	var plan Plan
	for _, p := range peers(nodes, self, backend) {
		switch backend {
		case BackendHostGW:
			plan.Routes = append(plan.Routes, Route{Dst: p.PodCIDR, Gateway: p.NodeIP})
		case BackendVXLAN:
			vtep := VTEPAddress(p.PodCIDR)
			plan.Routes = append(plan.Routes, Route{Dst: p.PodCIDR, Gateway: vtep, VXLAN: true})
			plan.Neighbours = append(plan.Neighbours, Neighbour{IP: vtep, MAC: p.VTEPMAC, NodeIP: p.NodeIP})
		}
	}
	return plan
}

// VTEPAddress is a node's VTEP address: the network address of its pod
// CIDR, which no pod gets (host-local starts at .2, cni0 holds .1), as
// flannel does.
func VTEPAddress(cidr *net.IPNet) net.IP {
	return cidr.IP.Mask(cidr.Mask).To4()
}

func podCIDRv4(n *v1.Node) *net.IPNet {
	cidrs := n.Spec.PodCIDRs
	if len(cidrs) == 0 && n.Spec.PodCIDR != "" {
		cidrs = []string{n.Spec.PodCIDR}
	}
	for _, c := range cidrs {
		if _, ipnet, err := net.ParseCIDR(c); err == nil && ipnet.IP.To4() != nil {
			return ipnet
		}
	}
	return nil
}

func internalIPv4(n *v1.Node) net.IP {
	for _, a := range n.Status.Addresses {
		if a.Type == v1.NodeInternalIP {
			if ip := net.ParseIP(a.Address).To4(); ip != nil {
				return ip
			}
		}
	}
	return nil
}
