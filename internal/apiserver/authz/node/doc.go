// Package node is the Node authorizer: it lets a kubelet, the user
// system:node:<name> in group system:nodes, reach what its node needs and
// nothing that belongs to other nodes, as upstream's Node authorizer does.
//
// Objects are narrowed to the node's own by looking at the pods bound to it:
// a secret, configmap, persistent volume claim or service-account token is
// readable only when a pod on the node references it, a persistent volume
// only through such a claim, and pod status, deletion and eviction only for
// pods on the node. Its Node object and Lease are matched by name. The rest
// of what a kubelet does (register, post events, read services, rotate its
// certificate...) is decided by a static rule list, bootstrappolicy's
// NodeRules by default. Requests from anyone else, and anything a rule does
// not allow, get no opinion, so RBAC still decides.
//
// The data comes through small interfaces: PodsOnNode (an informer indexer
// keyed by spec.nodeName, see PodIndexer) and, for volumes, the claim and
// volume listers of client-go, which satisfy the interfaces directly. What
// a node's pods reference is gathered into a per-node snapshot, so a
// decision is a map lookup instead of a walk over every pod's volumes and
// env (snapshot.go). Snapshots are rebuilt when told the node's pods, or any
// claim or volume, changed (PodEventHandler, VolumeEventHandler, or
// InvalidateNode/InvalidateVolumes from a watch cache), and in any case once
// they are MaxSnapshotAge old. Pod status updates, the bulk of pod traffic,
// do not invalidate anything.
//
// Like upstream, creating Nodes and mirror pods is allowed here and must be
// narrowed by NodeRestriction admission (a node may only create its own
// Node, and only mirror pods bound to itself).
package node
