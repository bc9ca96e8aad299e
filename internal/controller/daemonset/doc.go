// Package daemonset is the DaemonSet controller: one pod of each
// DaemonSet on every node that should run it (nodeSelector, required
// node affinity, taints its tolerations do not cover), none elsewhere,
// and template changes rolled out by ControllerRevision, node by node
// (RollingUpdate with maxUnavailable, or maxSurge: the new pod first,
// the old one once it is available) or OnDelete.
//
// In: DaemonSets, nodes, pods and ControllerRevisions from the shared
// informers; a node change wakes every DaemonSet, a pod event its owner.
// Out: pods created with a required node affinity on their node's name
// (the scheduler binds them there) and upstream's default tolerations
// (not-ready, unreachable, pressure, unschedulable), pods deleted
// (surplus, on nodes that no longer qualify or no longer exist, failed,
// outdated), ControllerRevisions, and the DaemonSet's status.
//
// node.go (which nodes qualify) and plan.go (what to do per node, and
// the status) are pure. Expectations keep a sync on a stale cache from
// creating a second pod for a node.
package daemonset
