// Package controlplane assembles hanok's Kubernetes API server from its
// parts: every built-in kind (registry/builtin) on a watch cache over etcd,
// the authentication and authorization chain, admission, OpenAPI, and the
// Service IP and NodePort allocators.
//
// It exists so that `hanok server` (internal/server) and the in-process
// test server (internal/testserver) run the very same API server: the
// server package adds what a process needs around it (data dir, PKI files,
// etcd start, listener, kubeconfig, shutdown), the test server adds its
// temp-dir equivalents. It depends only on the apiserver packages and the
// PKI, so integration tests of any component can start an API server without
// linking in the rest of hanok (as upstream's pkg/controlplane is the
// kube-apiserver's assembly, not its command).
//
// Authentication and authorization (auth.go) read their data the way any
// component does: through the server's own loopback client (loopback.go, a
// system:masters certificate dialling the listener) and one informer
// factory (informers.go) that feeds RBAC, the Node authorizer and the token
// authenticators. The chains, in order:
//
//	authn: x509 client certificates -> service-account JWTs, bootstrap tokens -> RejectBearer
//	authz: system:masters -> Node -> RBAC
//
// Start-up, once the listener serves (a post-start hook of Bootstrap):
//
//	system namespaces -> informers synced -> bootstrap RBAC policy reconciled
//	(policy.go) and seen by the informers -> gate opens (gate.go) -> ready
//
// Until the gate opens only system:masters requests are decided (the admin,
// and the loopback client filling the informers); the others wait up to 5 s
// and then get 503, never a 401 or 403 that only means "not loaded yet".
//
// The reviews (SelfSubjectAccessReview and friends, TokenReview,
// SelfSubjectReview) are answered by these chains (reviews.go), TokenRequest
// signs with the service-account key (tokenrequest.go), and identities.go
// issues each hanok component its own, least-privileged client identity.
//
// What is served from kubelets (kubelets.go): pods/log, pods/exec,
// pods/attach, pods/portforward and nodes/proxy are relayed to the pod's
// node's kubelet (apiserver/kubeletproxy), and metrics.k8s.io/v1beta1 is
// computed from the kubelets' /stats/summary (apiserver/metricsapi). The
// server dials kubelets as system:kube-apiserver (Config.KubeletClientTLS,
// by default pki.Bundle.KubeletClientTLSConfig), bound by the bootstrap
// policy to system:kubelet-api-admin, and trusts only kubelet serving
// certificates from the server CA.
package controlplane
