// Package nodelifecycle is upstream's node lifecycle controller together
// with its taint-eviction controller:
//
//   - health: a node is alive while its kubelet renews its Lease in
//     kube-node-lease (or posts a new Ready heartbeat). When neither has
//     been seen for the grace period (--node-monitor-grace-period, 40s;
//     60s for a node that never posted status), its Ready, MemoryPressure,
//     DiskPressure and PIDPressure conditions become Unknown
//     (NodeStatusUnknown, "Kubelet stopped posting node status."), and the
//     Ready condition of its pods becomes False. Time is measured on this
//     controller's clock from when it saw a heartbeat change, as upstream,
//     so clock skew between nodes does not matter.
//   - taints: from the node's conditions, the NoExecute taints
//     node.kubernetes.io/not-ready (Ready False) and unreachable (Ready
//     Unknown), and the NoSchedule taints not-ready, unreachable,
//     memory-pressure, disk-pressure, pid-pressure, network-unavailable
//     and unschedulable (spec.unschedulable), so the scheduler keeps new
//     pods off the node.
//   - eviction: a pod on a node with NoExecute taints is deleted once a
//     taint it does not tolerate is there, or when the shortest
//     tolerationSeconds among the tolerations it uses has passed since
//     the taint was added (taint.timeAdded, so a restarted controller
//     keeps the schedule); it is first given the DisruptionTarget
//     condition (DeletionByTaintManager), as upstream.
//
// Zones, as upstream: a node's zone is its region and zone labels. New
// NoExecute taints are paced per zone (--node-eviction-rate, 0.1 nodes/s;
// in a zone where more than 55% and more than two nodes are not ready,
// 0.01/s if it has more than 50 nodes, else none); and when no node at all
// is ready, the fault is taken to be the control plane's, so no node is
// tainted NoExecute (and such taints are removed) until one is back.
//
// Data flow: in through the shared Node, Lease and Pod informers (nodes
// are also looked at every monitor period, 5s); out through the
// controller's own client as system:controller:node-controller (node
// status and taints, pod status, pod deletion), with upstream's events.
package nodelifecycle
