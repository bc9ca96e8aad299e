// Package rootcacert is upstream's root-ca-cert-publisher: every namespace
// holds the ConfigMap kube-root-ca.crt whose ca.crt is the CA bundle that
// verifies the API server, so pods (through their projected
// service-account volume) can trust kubernetes.default.svc. The ConfigMap
// is created with the namespace, recreated if deleted and put back if
// changed.
//
// Data flow: in through the shared Namespace and ConfigMap informers (a
// namespace added or changed, or kube-root-ca.crt changed or deleted,
// enqueues the namespace); out through the controller's own client, which
// may create and update ConfigMaps
// (system:controller:root-ca-cert-publisher).
package rootcacert
