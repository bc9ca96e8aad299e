// Package proxy is the node's service proxy: kube-proxy's iptables mode.
// It turns Services and EndpointSlices into nat and filter rules that
// rewrite packets for a Service's virtual IPs (ClusterIP, NodePort on every
// local address, LoadBalancer ingress IPs, externalIPs) to one of its
// endpoints, so a virtual IP answers TCP and UDP on its ports but never a
// ping.
//
// Data flow: in through informers on Services, EndpointSlices
// (discovery/v1) and the proxy's own Node, as system:kube-proxy (the
// system:node-proxier role); out as iptables rules in the host's network
// namespace, nothing written to the API.
//
// Pure core, effects at the edges:
//   - model.go turns Services and EndpointSlices into service ports and
//     their endpoints (ready, serving, terminating, local), per IP family.
//   - build.go turns (services, slices, node name, node IPs, cluster CIDR)
//     into a Ruleset: every chain the proxy owns and its rules, per table,
//     with upstream's chain names (names.go) and shape (KUBE-SERVICES,
//     KUBE-SVC-<hash>, KUBE-SEP-<hash>, ...). It does no I/O and is
//     table-tested. A Builder remembers each Service's rules and rebuilds
//     only the Services whose objects changed.
//   - ruleset.go renders a Ruleset as iptables-restore input: all of it
//     (a full sync), or only the chains that differ from the last written
//     Ruleset plus the deletion of chains no longer wanted (a partial sync).
//   - conntrack.go works out which UDP conntrack entries a change left
//     pointing at a gone endpoint.
//   - host.go is the edge: sysctls, the jump rules from the built-in chains
//     (jumps.go, with go-iptables), iptables-restore --noflush, listing
//     existing chains, the conntrack tool; cleanup.go removes all of it
//     (hanok agent --cleanup).
//   - proxier.go is the loop: informer events mark the state dirty; a sync
//     runs at most every MinSyncInterval, a full rewrite every SyncPeriod
//     and after any failure.
package proxy
