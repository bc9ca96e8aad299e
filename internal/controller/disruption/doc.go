// Package disruption is upstream's disruption controller: it keeps every
// PodDisruptionBudget's status saying how many of its pods may be
// disrupted now, which is what an eviction reads before deleting a pod.
//
// For each budget: the pods its selector picks; how many are expected
// (minAvailable as a number: the pods there are; a percentage or
// maxUnavailable: the sum of the scales of the pods' controllers, read
// from Deployments, ReplicaSets, ReplicationControllers and StatefulSets
// through the informers, or from any other kind's /scale subresource);
// how many must stay healthy; how many are healthy (Ready and not being
// deleted, not recently evicted); and so disruptionsAllowed, the
// DisruptionAllowed condition (SufficientPods, InsufficientPods, or
// SyncFailed when the count cannot be known, which allows none), and
// observedGeneration. Entries in status.disruptedPods (written by the
// eviction when it admits one) are dropped once their pod is being
// deleted or is gone, or after two minutes when it never was.
//
// A second, smaller loop turns a pod's DisruptionTarget condition false
// when it has been true for two minutes without the pod being deleted
// (whatever meant to disrupt it did not), as upstream.
//
// spec.unhealthyPodEvictionPolicy is for the eviction to apply (whether a
// Running but not Ready pod may be evicted regardless of the budget); the
// controller's counts do not depend on it.
//
// Data flow: in through the shared informers (budgets, pods and the
// workload kinds) and GETs of /scale for other owners; out: UpdateStatus
// of poddisruptionbudgets/status and pods/status with the controller's own
// client (system:controller:disruption-controller), and events on the
// budget (NoPods, NoControllers, CalculateExpectedPodCountFailed,
// UnmanagedPods, NotDeleted).
package disruption
