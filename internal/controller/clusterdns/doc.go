// Package clusterdns keeps the Service that fronts hanok's cluster DNS:
// kube-system/kube-dns at the --cluster-dns address (ports dns 53/UDP and
// dns-tcp 53/TCP, labelled as k3s's CoreDNS Service so tools that look
// for it find it), with no selector and internalTrafficPolicy Local, and
// one EndpointSlice that lists every Ready node's InternalIP with its node
// name. There is no DNS pod: every agent serves DNS on its node's IP
// (package dns), and the service proxy sends a pod's queries to its own
// node's server.
//
// A kube-dns Service that exists with another ClusterIP, or with a
// selector (someone runs their own DNS), is not ours: it is left alone,
// an error is logged, and our EndpointSlice is removed from it.
//
// Data flow: in through the shared Node, Service and EndpointSlice
// informers; out through the controller's own client, as
// system:controller:cluster-dns-controller (create/update the Service,
// create/update/delete its EndpointSlice). The decisions (the Service and
// the slice as they should be) are pure functions in desired.go.
package clusterdns
