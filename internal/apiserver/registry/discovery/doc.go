// Package discovery describes discovery.k8s.io/v1 endpointslices for the
// generic REST handler. Slices are what kube-proxy and DNS read to reach a
// service's pods (selected by the kubernetes.io/service-name label), so
// validation keeps out addresses no proxy could route to.
package discovery
