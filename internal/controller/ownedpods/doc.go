// Package ownedpods is what every controller that owns pods shares:
// expectations, adoption and release by controller ref, pod states, pods
// from templates, which pods to delete first, and slow-start batches.
//
// It holds no informers and makes no API calls of its own: each piece is
// a pure decision or takes the caller's write as a function, so the
// ReplicaSet, Deployment, StatefulSet, DaemonSet, Job and CronJob
// controllers keep their own loops and clients and share only the rules.
//
//   - expectations.go: the creates and deletes a sync made that its
//     informer has not shown yet, so a sync on a lagging cache never
//     creates or deletes twice.
//   - claim.go: the controller ownerReference, and adopting matching
//     orphans and releasing children that no longer match (Claimer).
//   - podstate.go: active, Ready, available after minReadySeconds, and
//     when the next pod becomes available.
//   - template.go: a new pod from a pod template, controlled by its owner.
//   - rank.go: which pods to delete first when scaling down.
//   - slowstart.go: creates in doubling batches (1, 2, 4, ...) so an owner
//     whose creates all fail makes one failing request, not hundreds;
//     BurstReplicas caps the creates or deletes of one sync.
package ownedpods
