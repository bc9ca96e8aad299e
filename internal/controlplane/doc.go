// Package controlplane assembles hanok's Kubernetes API server from its
// parts: every built-in kind (registry/builtin) on a watch cache over etcd,
// the authentication and authorization chain, admission, OpenAPI, and the
// Service IP and NodePort allocators.
//
// It exists so that `hanok server` (internal/server) and the in-process
// test server (internal/testserver) run the very same API server: the
// server package adds what a process needs around it (data dir, PKI files,
// etcd start, listener, kubeconfig, shutdown), the test server adds its
// temp-dir equivalents. It depends only on the apiserver packages, so
// integration tests of any component can start an API server without
// linking in the rest of hanok (as upstream's pkg/controlplane is the
// kube-apiserver's assembly, not its command).
package controlplane
