// Package rbac is the RBAC v1 authorizer: it allows a request when a Role or
// ClusterRole bound to the user (directly, through a group, or as a service
// account) has a rule that matches it, and otherwise has no opinion. It never
// denies: like upstream, a request nothing allows is refused by the chain.
//
// Decisions follow upstream exactly (rule matching in rules.go, subject
// matching in subjects.go, reasons in reason.go). What differs is how the
// bindings that apply to a user are found. Upstream lists every
// ClusterRoleBinding and every RoleBinding of the namespace on each request;
// with 1,000 bindings that is tens of microseconds. Here the bindings are
// indexed by subject (user name, service-account user name, group) in an
// immutable snapshot, so a decision looks up a handful of map keys and
// evaluates only the rules of bindings that name the user.
//
// Data flow:
//
//	ClusterRoleBindingLister --List--> clusterIndex (rebuilt when stale)
//	RoleBindingLister        --List--> namespaceIndex (rebuilt when stale)
//	Authorize(user, ns) -> candidate bindings -> RoleGetter / ClusterRoleGetter
//	                    -> rules -> RuleAllows
//
// Roles are looked up live on every decision, so editing a role needs no
// notification. Bindings are read from the index, which must be told when
// bindings change: call Invalidate (watch cache) or register EventHandler()
// on the RoleBinding and ClusterRoleBinding informers. A change announced
// before a decision starts is always seen by that decision (the index records
// the generation it was built from and is rebuilt when it falls behind).
//
// The four data interfaces are subsets of client-go's rbac/v1 listers, so an
// informer's listers plug in directly; StaticListers builds the same listers
// over in-memory objects for tests and tools.
package rbac
