// Package kubelet runs the pods bound to one node on a CRI runtime.
//
// Data flows in from the API server (an informer on the pods whose
// spec.nodeName is this node, read with the node's own identity), from the
// static pod folder (staticpod.Watch) and from the runtime itself (a relist of
// CRI sandboxes and containers every second, which stands in for upstream's
// PLEG). Each pod gets one worker goroutine, keyed by UID, that serialises
// every sync of that pod:
//
//	runtime state (CRI) + pod spec + back-off --computePodActions--> actions
//	actions --worker--> CRI calls (sandbox, pulls, create/start/stop)
//	runtime state + probe results --computePodStatus--> v1.PodStatus --> API
//
// The decisions (computePodActions, computePodStatus, the sandbox and
// container configs, DNS, env and resources) are pure functions tested with
// tables; worker.go, runtime.go and status_writer.go are the thin edges that
// talk to CRI and the API server. Everything the kubelet needs to find again
// after a restart (pod UID, container name, restart count, spec hash) is kept
// in CRI labels and annotations, so a restarted agent adopts what is running
// instead of starting duplicates.
//
// Files: kubelet.go (New, Run, pod sources), sources.go (relist, static
// pods, node status, probe results), worker.go (per-pod sync), execute.go
// (CRI calls for one sync), terminate.go (deletion), status_writer.go,
// runtime.go (CRI reads), logrotate.go, provider.go (what the kubelet
// server asks); the pure parts are actions.go, status.go, sandbox.go, container.go, dns.go,
// env.go, service_env.go, resources.go, security.go and pullsecrets.go.
//
// Subpackages own the rest of the node: volume (mounts), prober (probes and
// hooks), nodestatus (Node object and Lease), eviction (node pressure),
// staticpod (manifests and mirror pods), server and stats (port 10250).
package kubelet
