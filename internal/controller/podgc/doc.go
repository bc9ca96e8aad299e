// Package podgc is upstream's pod garbage collector. Every period (20s) it
// deletes:
//   - terminated pods (Succeeded or Failed) beyond a threshold, oldest
//     first (--terminated-pod-gc-threshold, 12500; negative turns it off);
//   - pods bound to a node that no longer exists, once the node has been
//     missing for a quarantine (40s) and a live read confirms it;
//   - pods being deleted that were never scheduled (no kubelet will ever
//     finish them), or that are on a node which is not ready and which an
//     administrator tainted node.kubernetes.io/out-of-service.
//
// A pod it deletes that has not finished is first marked Failed with the
// DisruptionTarget condition (reason DeletionByPodGC), as upstream, so its
// owner (a Job) sees why it went; deletion is forced (grace 0), since no
// kubelet will act on it.
//
// Data flow: in through the shared Pod and Node informers (read every
// period, nothing queued); out through the controller's own client as
// system:controller:pod-garbage-collector (delete pods, patch pods/status,
// get nodes).
package podgc
