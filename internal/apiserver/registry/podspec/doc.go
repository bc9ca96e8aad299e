// Package podspec defaults and validates PodSpec and PodTemplateSpec: the
// part shared by pods, pod templates, replication controllers and every
// workload kind (deployments, replicasets, statefulsets, daemonsets, jobs,
// cronjobs).
//
// The rules follow upstream Kubernetes' v1 defaulting and core validation
// for the cases users commonly hit, with upstream's field paths and messages
// so that `kubectl apply` errors read the same as on any other cluster. The
// package is pure: no I/O, no feature gates, no cluster configuration.
//
// Callers run defaulting before validation, as the API server's decoder
// does upstream:
//
//	podspec.DefaultPodSpec(&tmpl.Spec)
//	errs := podspec.ValidatePodTemplateSpec(&tmpl, field.NewPath("spec", "template"))
//
// Pods (and only pods) additionally get DefaultPodOnly, which upstream keeps
// out of templates so that workload objects do not materialise fields such
// as enableServiceLinks or container requests copied from limits.
package podspec
