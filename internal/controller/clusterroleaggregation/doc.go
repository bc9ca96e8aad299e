// Package clusterroleaggregation is upstream's clusterrole-aggregation
// controller: a ClusterRole with an aggregationRule gets, as its rules, the
// rules of every ClusterRole its selectors match (admin, edit and view
// gather the rules that CRD authors label for them). The rule arithmetic is
// rbac.Aggregate's; this package is the loop around it.
//
// Data flow: in, ClusterRoles from the shared informer; out, updates of
// aggregated ClusterRoles' rules as system:controller:clusterrole-aggregation-controller
// (which holds "escalate" on clusterroles, since it writes rules it does
// not itself hold).
package clusterroleaggregation
