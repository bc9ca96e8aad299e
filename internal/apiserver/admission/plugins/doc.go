// Package plugins holds hanok's built-in admission plugins, upstream's
// default set, each a small type in its own file implementing
// admission.Mutator and/or admission.Validator:
//
//	NamespaceLifecycle        refuses (runs in both phases; the type is admission.NamespaceLifecycle)
//	LimitRanger               mutating + validating
//	ServiceAccount            mutating + validating
//	NodeRestriction           validating
//	PodSecurity               validating (k8s.io/pod-security-admission)
//	Priority                  mutating + validating
//	DefaultTolerationSeconds  mutating
//	DefaultStorageClass       mutating
//	ResourceQuota             validating, always last: it charges the quota
//
// NewChain assembles them in upstream's order from Deps, which DepsFrom
// fills from a SharedInformerFactory and a clientset on the loopback
// connection; Deps.Disable leaves plugins out by name, as upstream's
// --disable-admission-plugins, and Deps.MutatingWebhooks and
// ValidatingWebhooks slot the webhook plugins in where upstream runs them.
//
// Plugins read cluster state from listers (the informer caches) and make
// no request per admission in the common case: the API server is asked
// only when a cache may be behind (an object created a moment ago, a
// namespace with nothing cached, then remembered for 30 seconds) and, for
// ResourceQuota, to charge the quota. Until the informers have synced,
// plugins that read them wait (up to ten seconds, as upstream) and then
// refuse with "not yet ready to handle request" rather than admit what
// they cannot check; so the factory must be started as soon as the server
// serves, before anything is created through it.
//
// Pure computations (what an object uses of a quota, LimitRange
// defaults and bounds, label policy for nodes) are plain functions of
// their inputs and tested with tables; the listers and clients are the
// edges.
package plugins
