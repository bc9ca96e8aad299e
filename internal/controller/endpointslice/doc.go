// Package endpointslice is the EndpointSlice controller: for every
// Service with a selector it keeps EndpointSlices (at most 100 endpoints
// each, one set per address family and port set) listing the selected
// pods with their ready, serving and terminating conditions, node, zone
// and hostname.
//
// In: Services, pods, nodes (for zones) and EndpointSlices from the
// shared informers. Out: slices labelled kubernetes.io/service-name and
// endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io,
// controlled by their Service (owner reference), created, updated only
// where their content changed, and deleted when empty or orphaned. A
// selected Service with no endpoints keeps one empty placeholder slice,
// as upstream, so consumers can tell "no endpoints" from "not synced".
//
// Reconcile (reconcile.go) is pure: it keeps every endpoint in the slice
// it already is in, fills free room before creating slices, and writes
// nothing for an unchanged slice. A tracker remembers the slices this
// controller wrote until the informer shows them, so a sync on a stale
// cache waits rather than creating duplicates.
package endpointslice
