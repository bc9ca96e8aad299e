package podnet

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/coreos/go-iptables/iptables"
	"github.com/vishvananda/netlink"
	v1 "k8s.io/api/core/v1"
)

// routeProtocol marks the routes podnet owns, so it finds and removes its
// own stale routes and never touches anyone else's.
const routeProtocol netlink.RouteProtocol = 77

// VXLAN settings, as flannel's defaults (VNI 1, the Linux port 8472).
const (
	vxlanName = "hanok.1"
	vxlanVNI  = 1
	vxlanPort = 8472
	// vxlanOverhead is the encapsulation's cost: outer IPv4, UDP and VXLAN
	// headers and the inner Ethernet header.
	vxlanOverhead = 50
)

// masqChain holds the rule that masquerades pod traffic leaving the
// cluster CIDR, and only that: pod-to-pod traffic keeps its source.
const masqChain = "HANOK-POSTROUTING"

func ensureMasquerade(clusterCIDR *net.IPNet) error {
	if clusterCIDR == nil {
		return nil
	}
	ipt, err := iptables.New()
	if err != nil {
		return err
	}
	if exists, err := ipt.ChainExists("nat", masqChain); err != nil {
		return err
	} else if !exists {
		if err := ipt.NewChain("nat", masqChain); err != nil {
			return err
		}
	}
	cidr := clusterCIDR.String()
	if err := ipt.AppendUnique("nat", masqChain, "-s", cidr, "!", "-d", cidr, "-m", "comment", "--comment", "hanok: pods leaving the cluster", "-j", "MASQUERADE"); err != nil {
		return err
	}
	return ipt.AppendUnique("nat", "POSTROUTING", "-m", "comment", "--comment", "hanok pod network", "-j", masqChain)
}

// Cleanup removes the masquerade rule, the VXLAN device and podnet's
// routes (hanok agent --cleanup).
func Cleanup() error {
	var errs []error
	if ipt, err := iptables.New(); err == nil {
		_ = ipt.DeleteIfExists("nat", "POSTROUTING", "-m", "comment", "--comment", "hanok pod network", "-j", masqChain)
		if exists, _ := ipt.ChainExists("nat", masqChain); exists {
			errs = append(errs, ipt.ClearAndDeleteChain("nat", masqChain))
		}
	}
	routes, err := ownRoutes()
	errs = append(errs, err)
	for _, r := range routes {
		errs = append(errs, netlink.RouteDel(&r))
	}
	if link, err := netlink.LinkByName(vxlanName); err == nil {
		errs = append(errs, netlink.LinkDel(link))
	}
	return errors.Join(errs...)
}

// vxlanDevice is this node's VTEP.
type vxlanDevice struct {
	link netlink.Link
	mac  net.HardwareAddr
}

// ensureVXLAN creates the VTEP on the node IP's interface, or reuses it.
func ensureVXLAN(nodeIP net.IP) (*vxlanDevice, error) {
	parent, mtu, err := interfaceOf(nodeIP)
	if err != nil {
		return nil, err
	}
	if link, err := netlink.LinkByName(vxlanName); err == nil {
		if vx, ok := link.(*netlink.Vxlan); ok && vx.SrcAddr.Equal(nodeIP) && vx.VxlanId == vxlanVNI {
			if err := netlink.LinkSetUp(link); err != nil {
				return nil, err
			}
			return &vxlanDevice{link: link, mac: link.Attrs().HardwareAddr}, nil
		}
		// Left from another node IP: replace it.
		if err := netlink.LinkDel(link); err != nil {
			return nil, err
		}
	}
	vx := &netlink.Vxlan{
		LinkAttrs:    netlink.LinkAttrs{Name: vxlanName, MTU: mtu - vxlanOverhead},
		VxlanId:      vxlanVNI,
		VtepDevIndex: parent,
		SrcAddr:      nodeIP,
		Port:         vxlanPort,
		Learning:     false,
	}
	if err := netlink.LinkAdd(vx); err != nil {
		return nil, err
	}
	link, err := netlink.LinkByName(vxlanName)
	if err != nil {
		return nil, err
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return nil, err
	}
	return &vxlanDevice{link: link, mac: link.Attrs().HardwareAddr}, nil
}

// ensureAddress gives the VTEP its address (the node's pod CIDR network
// address, /32) once the node has a pod CIDR.
func (d *vxlanDevice) ensureAddress(list []*v1.Node, self string) {
	cidr := ownPodCIDR(list, self)
	if cidr == nil {
		return
	}
	addr := &netlink.Addr{IPNet: &net.IPNet{IP: VTEPAddress(cidr), Mask: net.CIDRMask(32, 32)}}
	if err := netlink.AddrReplace(d.link, addr); err != nil {
		log.WithError(err).Warn("addressing the vxlan device")
	}
}

// interfaceOf finds the link holding ip and its MTU.
func interfaceOf(ip net.IP) (index, mtu int, err error) {
	links, err := netlink.LinkList()
	if err != nil {
		return 0, 0, err
	}
	for _, l := range links {
		addrs, _ := netlink.AddrList(l, netlink.FAMILY_V4)
		for _, a := range addrs {
			if a.IP.Equal(ip) {
				return l.Attrs().Index, l.Attrs().MTU, nil
			}
		}
	}
	return 0, 0, fmt.Errorf("no interface holds the node IP %s", ip)
}

func ownRoutes() ([]netlink.Route, error) {
	return netlink.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Protocol: routeProtocol}, netlink.RT_FILTER_PROTOCOL)
}

// apply makes the kernel hold exactly the plan's routes and neighbours.
func apply(plan Plan, dev *vxlanDevice) error {
	var errs []error
	want := map[string]bool{}
	for _, r := range plan.Routes {
		want[r.Dst.String()] = true
		route := &netlink.Route{Dst: r.Dst, Gw: r.Gateway, Protocol: routeProtocol}
		if r.VXLAN {
			route.LinkIndex = dev.link.Attrs().Index
			route.Flags = int(netlink.FLAG_ONLINK)
		}
		if err := netlink.RouteReplace(route); err != nil {
			errs = append(errs, fmt.Errorf("route %s via %s: %w", r.Dst, r.Gateway, err))
		}
	}
	routes, err := ownRoutes()
	errs = append(errs, err)
	for _, r := range routes {
		if r.Dst != nil && !want[r.Dst.String()] {
			if err := netlink.RouteDel(&r); err != nil && !errors.Is(err, syscall.ESRCH) {
				errs = append(errs, err)
			}
		}
	}
	if dev != nil {
		errs = append(errs, applyNeighbours(plan.Neighbours, dev))
	}
	return errors.Join(errs...)
}

// applyNeighbours keeps one ARP and one FDB entry per peer VTEP.
func applyNeighbours(want []Neighbour, dev *vxlanDevice) error {
	var errs []error
	idx := dev.link.Attrs().Index
	wantIP, wantMAC := map[string]bool{}, map[string]bool{}
	for _, n := range want {
		wantIP[n.IP.String()] = true
		wantMAC[n.MAC.String()] = true
		errs = append(errs,
			netlink.NeighSet(&netlink.Neigh{LinkIndex: idx, Family: netlink.FAMILY_V4, State: netlink.NUD_PERMANENT, IP: n.IP, HardwareAddr: n.MAC}),
			netlink.NeighSet(&netlink.Neigh{LinkIndex: idx, Family: syscall.AF_BRIDGE, Flags: netlink.NTF_SELF, State: netlink.NUD_PERMANENT, IP: n.NodeIP, HardwareAddr: n.MAC}))
	}
	if arp, err := netlink.NeighList(idx, netlink.FAMILY_V4); err == nil {
		for _, n := range arp {
			if !wantIP[n.IP.String()] {
				_ = netlink.NeighDel(&n)
			}
		}
	}
	if fdb, err := netlink.NeighList(idx, syscall.AF_BRIDGE); err == nil {
		for _, n := range fdb {
			if n.HardwareAddr != nil && !wantMAC[n.HardwareAddr.String()] && n.IP != nil {
				_ = netlink.NeighDel(&n)
			}
		}
	}
	return errors.Join(errs...)
}
