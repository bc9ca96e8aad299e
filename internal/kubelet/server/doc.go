// Package server is the kubelet's HTTPS API on :10250, the target of the
// API server's pods/log, pods/exec, pods/attach, pods/portforward and
// nodes/proxy, and the source of metrics.k8s.io.
//
// Data flow: a request is authenticated by its client certificate
// (verified against Config.ClientCAs; CN = user, O = groups; none = 401),
// then authorized by a SubjectAccessReview on nodes/<subresource> of this
// node (upstream's path mapping, answers cached 5m/30s; denied = 403),
// then routed:
//
//   - /healthz, /pods (Provider.Pods as a v1 PodList)
//   - /containerLogs/{ns}/{pod}/{container}: the CRI log file from
//     Provider.ContainerLogPath, parsed and filtered (tail, since,
//     limitBytes, timestamps, stream), followed across rotation until the
//     container stops (Runtime.ContainerStatus) or the client leaves
//   - /exec, /attach, /portForward: CRI Exec/Attach/PortForward return a
//     URL on the runtime's streaming server, and the client's upgrade
//     request is proxied there (apimachinery's UpgradeAwareHandler)
//   - /run: CRI ExecSync, output in the body
//   - /stats/summary, /metrics/resource: from stats.Provider
//   - /metrics: a few of the server's own metrics; /logs/: the host's /var/log
package server
