// Package nodestatus registers the kubelet's Node object and keeps it
// alive: a Lease in kube-node-lease renewed every 10s, and the Node's
// status (conditions, capacity and allocatable, addresses, nodeInfo,
// images) checked every 10s and posted when it changed or every 5 minutes
// regardless, as upstream.
//
// Data flows in from the host (/proc, cgroups v1 or v2, statfs, /etc; see
// capacity.go and nodeinfo.go), from the container runtime (RuntimeInfo)
// and from the eviction manager (PressureSource); it flows out only
// through the API server with the node's own identity
// (system:node:<name>), so everything written here passes NodeRestriction
// admission: the node sets only the labels a kubelet may set (labels.go),
// never changes taints after registration, and touches only its own Node
// and Lease. Labels a node may not give itself (the control-plane role)
// are set by the server through ApplyRestrictedLabels.
//
// Decisions are pure functions (desiredConditions, mergeConditions,
// buildStatus, allocatable, restrictedLabel), tested with tables; Register
// and Run are the thin effectful edges.
package nodestatus
