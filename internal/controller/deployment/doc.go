// Package deployment is the Deployment controller: it rolls a
// Deployment's pod template out as ReplicaSets, one per template
// revision, and reports how the rollout goes in the Deployment's status.
//
// In: Deployments, ReplicaSets and pods from the shared informers; a
// ReplicaSet event wakes the Deployment that owns it (or, for an orphan,
// every Deployment whose selector matches), a pod deletion wakes a
// Recreate Deployment waiting for its old pods to go.
// Out: ReplicaSets created (named <deployment>-<pod-template-hash>),
// scaled, annotated (revision, revision-history, desired-replicas,
// max-replicas) and deleted past revisionHistoryLimit; adopted or
// released by selector; the Deployment's revision annotation and status
// (replicas, updated, ready, available, unavailable, the Available and
// Progressing conditions with upstream's reasons, so `kubectl rollout
// status` and `kubectl rollout history/undo` work unchanged). The
// ReplicaSet controller turns the ReplicaSets into pods.
//
// Rollback needs nothing here: kubectl (1.11+) undoes a rollout itself by
// patching the Deployment's template back from the old ReplicaSet; this
// controller then finds that ReplicaSet by template and gives it a new
// revision.
//
// The arithmetic is pure and in its own files: fenceposts.go (maxSurge,
// maxUnavailable), rolling.go (how far to scale up and down), scale.go
// (proportional scaling of a mid-rollout Deployment), status.go (status
// and conditions), revision.go (templates, hashes, revisions, history).
package deployment
