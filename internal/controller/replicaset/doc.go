// Package replicaset is the ReplicaSet controller, and through the same
// code the ReplicationController controller: it keeps spec.replicas pods
// alive for each set, creating and deleting pods through the API.
//
// In: ReplicaSets (or ReplicationControllers) and pods from the shared
// informers. A pod event wakes the set that owns it (its controller
// ownerReference) or, for an orphan, every set whose selector matches.
// Out: pod creates and deletes, ownerReference patches that adopt
// matching orphans and release pods that no longer match, and the set's
// status (replicas, fullyLabeled, ready, available, observedGeneration,
// the ReplicaFailure condition).
//
// Expectations remember the creates and deletes a sync made until the
// informer shows them, so a sync that runs before the cache caught up
// never creates or deletes twice. Creates go out in slow-start batches
// (1, 2, 4, ...) so a set whose pods all fail (quota, admission) makes
// one failing request, not hundreds. Those rules, with adoption, pod
// states and the choice of pods to delete, live in package ownedpods,
// shared with the other pod-owning controllers.
package replicaset
