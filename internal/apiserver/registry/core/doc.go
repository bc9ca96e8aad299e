// Package core describes the core/v1 resources (namespaces, pods, services,
// nodes, configmaps, secrets, ...) for hanok's generic REST handler: one
// registry.Resource per kind, each with a Strategy that defaults, validates,
// splits status from spec and prints table rows the way upstream Kubernetes
// does, so kubectl and client-go see the same answers and the same error
// messages as on any other cluster.
//
// One file per kind. Everything here is pure: strategies never read storage
// or the clock except through the package's now variable (stubbed in tests)
// and the registry's age rendering. Allocation of cluster IPs and node ports
// is done by the allocator package, not here.
package core
