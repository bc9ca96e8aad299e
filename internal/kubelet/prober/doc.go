// Package prober runs container probes (liveness, readiness, startup) and
// lifecycle hooks.
//
// Probe and RunHandler are single attempts (exec through the kubelet's
// Runtime, httpGet, tcpSocket, grpc, sleep). Manager keeps one worker per
// (pod, container, kind) that probes on the container's schedule, applies
// success/failure thresholds and startup gating, and publishes result changes
// on Updates(); the kubelet reads Result() when it builds pod status and
// restarts containers whose liveness fails.
package prober
