// Package kubeletproxy is the API server's side of the kubelet API: it
// serves pods/log, pods/exec, pods/attach, pods/portforward and
// nodes/proxy by forwarding them to the kubelet of the pod's node, and
// gives the metrics API its way to each kubelet's /stats/summary.
//
// Data flow: a request has been authenticated and authorized (pods/log
// get, pods/exec create or get, nodes/proxy with its HTTP verb) before it
// reaches a handler here. The handler reads its options from the query
// (as upstream's PodLogOptions, PodExecOptions, ...), runs CONNECT
// admission for the streaming subresources, reads the pod and its node,
// and builds the kubelet URL: https://<node address>:<kubelet port>/
// containerLogs|exec|attach|portForward/... The node address is its
// InternalIP, else Hostname, InternalDNS, ExternalIP, ExternalDNS; the port
// is status.daemonEndpoints.kubeletEndpoint.Port. The kubelet is dialled
// with the API server's client certificate (system:kube-apiserver) and its
// serving certificate must chain to the cluster's server CA.
//
// Logs are streamed back as they come (flushed after every write with
// follow). Exec, attach and port-forward are upgrades (SPDY, or WebSocket)
// relayed byte for byte by apimachinery's UpgradeAwareHandler; a WebSocket
// v5 exec/attach, or a WebSocket port-forward, is translated to SPDY
// towards the kubelet as upstream does (k8s.io/apiserver's
// StreamTranslator and tunnelling handler), unless the node declares it
// speaks WebSockets itself (ExtendWebSocketsToKubelet in
// status.declaredFeatures).
//
// The pure parts (address choice, options parsing and validation, the
// default container, the kubelet URLs) are separate from the handlers and
// tested with tables.
package kubeletproxy
