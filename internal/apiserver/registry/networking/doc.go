// Package networking describes the networking.k8s.io/v1 kinds hanok serves
// (ingresses, ingressclasses, networkpolicies) for the generic REST handler:
// defaults, validation, the ingress status split and table columns.
package networking
