// Package podnet joins the nodes' pod networks into one flat network with
// no NAT between pods, as the seed's L3 routing does. Each node's pods sit
// on its cni0 bridge in the node's pod CIDR; podnet routes every other
// node's pod CIDR:
//
//   - host-gw: via that node's IP (nodes must share an L2 segment);
//   - vxlan: through a VXLAN device, one VTEP per node, with the neighbour
//     and FDB entries taken from the Node's annotations (for nodes that
//     are only routed to each other).
//
// Data flows in from the API (Nodes: spec.podCIDRs, InternalIP, the VTEP
// annotations) and out to the kernel (routes, neighbours, FDB, one
// masquerade rule for traffic leaving the cluster CIDR). The plan is a pure
// function of the node list; the netlink code only applies it.
package podnet
