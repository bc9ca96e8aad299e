// Package dns is hanok's cluster DNS: what CoreDNS's kubernetes and
// forward plugins do for a k3s cluster, served in-process by every node's
// agent instead of by a pod.
//
// Each agent runs Run, listening on UDP and TCP port 53 of its node's IP.
// The Service kube-system/kube-dns (kept by controller/clusterdns) has the
// cluster DNS IP, internalTrafficPolicy Local and an EndpointSlice listing
// every Ready node, so the service proxy sends a pod's queries to its own
// node's server.
//
// Data flow: in through Service and EndpointSlice informers (as
// system:kube-proxy, the node's proxy identity); every change rebuilds an
// immutable Snapshot (an index by name and by reverse name) that the query
// path reads lock-free from an atomic pointer. A query is answered by the
// pure function Answer from the snapshot: names in the cluster domain and
// reverse names of cluster addresses locally, everything else is forwarded
// to the node's upstream resolvers (from resolv.conf).
//
// Records, as the CoreDNS kubernetes plugin (with "pods insecure"):
//   - <svc>.<ns>.svc.<zone> A/AAAA: the ClusterIPs; for a headless service
//     the ready endpoints' addresses; for an ExternalName service a CNAME.
//   - <endpoint>.<svc>.<ns>.svc.<zone>: an endpoint by its hostname (pods
//     with hostname and subdomain) or by its dashed address (10-42-0-5).
//   - _<port>._<proto>.<svc>.<ns>.svc.<zone> SRV for named ports, to the
//     service name, or to each endpoint's name for a headless service.
//   - <a-b-c-d>.<ns>.pod.<zone> A: the address the name spells.
//   - PTR for ClusterIPs and headless services' endpoint addresses.
//   - unknown names in the zone: NXDOMAIN; known names of another type:
//     NODATA; both with the zone's SOA in the authority section.
package dns
