// Package balancedallocation is NodeResourcesBalancedAllocation: a score
// that prefers the node where, after placing the pod, cpu and memory are
// used in the most equal shares (1 - the standard deviation of the
// fractions, 0..100). Best-effort pods skip it, as upstream, so they do
// not all pile on one node.
package balancedallocation
