// Package nodeipam is upstream's node IPAM controller (the range
// allocator): every node gets spec.podCIDR (and spec.podCIDRs) from the
// cluster CIDR (--cluster-cidr), a /24 each by default
// (--node-cidr-mask-size), which the node's network plugin hands out to
// its pods. A node's range is taken back when the node is deleted. A
// range a node already has (set by hand, or before a restart) is kept and
// marked used; at start every existing node's range is marked before any
// is handed out, so a restart never hands one out twice.
//
// Data flow: in through the shared Node informer; out through the
// controller's own client as system:controller:node-controller (patch
// nodes), with upstream's CIDRNotAvailable event when the range is full.
package nodeipam
