// Package statefulset is the StatefulSet controller: it runs a set's
// pods under stable identities (<set>-<ordinal>, hostname, subdomain, one
// PVC per volumeClaimTemplate kept across restarts), in order
// (OrderedReady) or all at once (Parallel), and rolls template changes
// out by ControllerRevision: RollingUpdate from the highest ordinal down
// to the partition, maxUnavailable at a time, or OnDelete.
//
// In: StatefulSets, pods, ControllerRevisions and PVCs from the shared
// informers; a pod event wakes the set that owns it. Out: PVCs and pods
// created, pods deleted, ControllerRevisions created (the template as
// the strategic merge patch `kubectl rollout undo` applies), renumbered
// when an old template comes back, pruned past revisionHistoryLimit; the
// set's status (replicas, ready, available, current, updated, the
// current and update revisions).
//
// step.go is the pure core: given the pods, the next step and the status.
// Pods have fixed names, so a sync on a stale cache meets AlreadyExists
// or a failed UID precondition instead of doing anything twice.
//
// revision.go (ControllerRevision data, hashes, pruning) is exported for
// the DaemonSet controller.
package statefulset
