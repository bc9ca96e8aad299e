// Package nodeaffinity is NodeAffinity: the filter for spec.nodeSelector
// and required node affinity terms (ORed terms, ANDed expressions, as
// k8s.io/component-helpers matches them), and the score that sums the
// weights of the preferred terms a node matches (normalised so the best
// node gets 100).
package nodeaffinity
