// Package eviction is the kubelet's node-pressure eviction, after
// upstream's eviction manager with its default hard thresholds.
//
// Every interval (10s) the Manager measures the node (memory available,
// nodefs and imagefs space and inodes, PIDs), compares the readings with
// the thresholds (thresholds.go, pure), and reports pressure for as long as
// a threshold is met and a transition period (30s) after. While a
// threshold is met it asks the kubelet, through the evict callback, to
// evict ONE pod per interval, ranked as upstream (rank.go, pure): pods
// using more than they requested first, then lower priority, then larger
// usage above requests. Critical pods (static, mirror, system priority)
// are never chosen.
//
// Measuring is at the edges (measure.go, usage.go: /proc, cgroups v1 and
// v2, statfs) and can be replaced with options, which is how tests feed
// fake readings.
package eviction
