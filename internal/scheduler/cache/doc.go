// Package cache is the scheduler's picture of the cluster: every node
// with the pods on it, built from informer events, plus pods the
// scheduler has "assumed" onto a node before its binding is confirmed, so
// consecutive pods see each other's resource use at once.
//
// Data flow: informer handlers call AddNode/UpdateNode/RemoveNode and
// AddPod/UpdatePod/RemovePod for assigned pods; the scheduling loop calls
// Snapshot at the start of each cycle, AssumePod on its choice, and
// ForgetPod if the binding fails. A NodeInfo in a snapshot is never
// changed: the cache clones a node's info before changing it.
package cache
