// Package tainttoleration is TaintToleration: the filter that rejects a
// node with a NoSchedule or NoExecute taint the pod does not tolerate,
// and the score that prefers nodes with fewer untolerated PreferNoSchedule
// taints (normalised so the fewest wins 100).
package tainttoleration
