// Package testserver runs a real hanok API server inside a test process,
// for integration tests of the API server and of every component that talks
// to it (scheduler, controllers, kubelet).
//
// A Server is what `hanok server` runs minus the process around it: an
// embedded etcd on a temp dir (kernel-picked 127.0.0.1 ports, no fsync), a
// fresh PKI, and the API server assembled by internal/controlplane, the
// same assembly `hanok server` uses, served over HTTPS on 127.0.0.1 with
// the PKI's serving certificate and authenticating the admin client
// certificate. Tests reach it the way components do: client-go with
// RESTConfig or Client, or kubectl with KubeconfigPath.
//
// Start ties a server to one test (stopped by t.Cleanup). A package whose
// tests can share one server (isolated by namespace, see CreateNamespace)
// calls New from TestMain, or lazily, and Stop at the end: a start costs a
// few hundred milliseconds, mostly the watch caches' first lists.
package testserver
