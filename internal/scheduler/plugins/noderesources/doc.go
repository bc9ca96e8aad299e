// Package noderesources is NodeResourcesFit: the filter that a pod's
// requests (cpu, memory, ephemeral-storage, pod count, extended
// resources; init containers, sidecars and overhead counted as upstream)
// fit what the node has left, and the LeastAllocated score that prefers
// the node with the most room left (cpu and memory, weight 1 each).
package noderesources
