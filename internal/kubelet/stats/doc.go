// Package stats gathers resource usage for the kubelet's /stats/summary and
// /metrics/resource: the node from /proc and cgroups (v1 and v2), filesystems
// by statfs, and pods/containers from the CRI runtime's stats calls. CPU
// rates (usageNanoCores) come from two cumulative samples kept per object.
package stats
