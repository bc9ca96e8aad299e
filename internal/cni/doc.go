// Package cni writes the node's pod network configuration: the conflist that
// containerd's CRI plugin hands to the CNI plugins hanok ships (package
// bundle extracts them to layout.BinDir()).
//
// The network is one Linux bridge per node (cni0) with the node's pod CIDRs
// (spec.podCIDRs, IPv4 and optionally IPv6) handed out by host-local, whose
// allocations live under layout.CNIStateDir(); traffic leaving the pod range
// is masqueraded; portmap serves hostPort. The loopback plugin is run by the
// CRI plugin itself. Routing between nodes belongs to the node network, not
// here.
//
// BridgeConfList is the pure part (options in, JSON out); WriteBridgeConfig
// puts it in layout.CNIConfDir() atomically and leaves an identical file
// alone, so the runtime's file watcher sees no spurious change.
package cni
