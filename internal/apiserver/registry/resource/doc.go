// Package resource describes the resource.k8s.io/v1 kinds of dynamic
// resource allocation for the generic REST handler: device classes,
// resource claims and their templates, resource slices (what drivers
// publish per node or pool) and device taint rules.
//
// Drivers and the kubelet write slices, users write classes, claims and
// templates, and the scheduler allocates claims through their status. A
// claim's spec is what was allocated for, so it never changes; the same
// holds for a template, which is copied into claims. Validation covers
// names, required fields and references; CEL selectors are stored as
// written and only the scheduler evaluates them.
package resource
