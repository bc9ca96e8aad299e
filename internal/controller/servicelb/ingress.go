package servicelb

import (
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"
)

// LabelEnableLB marks the nodes that serve LoadBalancer services, when
// any node has it (k3s's label).
const LabelEnableLB = "svccontroller.k3s.cattle.io/enablelb"

// ingressFor is the status.loadBalancer.ingress svc should have, given
// every node: one entry per address of the serving Ready nodes, of the
// service's IP families, sorted (IPv4 first), without duplicates.
func ingressFor(svc *corev1.Service, nodes []*corev1.Node) []corev1.LoadBalancerIngress {
	serving := nodes
	if slices.ContainsFunc(nodes, func(n *corev1.Node) bool { return n.Labels[LabelEnableLB] == "true" }) {
		serving = nil
		for _, n := range nodes {
			if n.Labels[LabelEnableLB] == "true" {
				serving = append(serving, n)
			}
		}
	}
	var addrs []netip.Addr
	for _, n := range serving {
		if !ready(n) || n.DeletionTimestamp != nil {
			continue
		}
		ips := addressesOf(n, corev1.NodeExternalIP)
		if len(ips) == 0 {
			ips = addressesOf(n, corev1.NodeInternalIP)
		}
		for _, ip := range ips {
			if wantsFamily(svc, ip) && !slices.Contains(addrs, ip) {
				addrs = append(addrs, ip)
			}
		}
	}
	slices.SortFunc(addrs, func(a, b netip.Addr) int { return a.Compare(b) })
	var out []corev1.LoadBalancerIngress
	vip := corev1.LoadBalancerIPModeVIP
	for _, a := range addrs {
		out = append(out, corev1.LoadBalancerIngress{IP: a.String(), IPMode: &vip})
	}
	return out
}

func ready(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func addressesOf(n *corev1.Node, typ corev1.NodeAddressType) []netip.Addr {
	var out []netip.Addr
	for _, a := range n.Status.Addresses {
		if a.Type != typ {
			continue
		}
		if ip, err := netip.ParseAddr(a.Address); err == nil {
			out = append(out, ip.Unmap())
		}
	}
	return out
}

// wantsFamily says whether ip is of one of svc's IP families (any, when
// the service names none).
func wantsFamily(svc *corev1.Service, ip netip.Addr) bool {
	if len(svc.Spec.IPFamilies) == 0 {
		return true
	}
	family := corev1.IPv4Protocol
	if ip.Is6() {
		family = corev1.IPv6Protocol
	}
	return slices.Contains(svc.Spec.IPFamilies, family)
}

// managed says whether svc is this controller's: a LoadBalancer without
// a class of its own.
func managed(svc *corev1.Service) bool {
	return svc.Spec.Type == corev1.ServiceTypeLoadBalancer &&
		(svc.Spec.LoadBalancerClass == nil || *svc.Spec.LoadBalancerClass == "")
}

// sameIngress compares ingress lists by IP, hostname and IP mode (an
// unset mode counts as VIP, the API's default), in order.
func sameIngress(a, b []corev1.LoadBalancerIngress) bool {
	mode := func(i corev1.LoadBalancerIngress) corev1.LoadBalancerIPMode {
		if i.IPMode == nil {
			return corev1.LoadBalancerIPModeVIP
		}
		return *i.IPMode
	}
	return slices.EqualFunc(a, b, func(x, y corev1.LoadBalancerIngress) bool {
		return x.IP == y.IP && x.Hostname == y.Hostname && mode(x) == mode(y)
	})
}
