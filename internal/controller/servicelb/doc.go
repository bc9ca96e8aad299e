// Package servicelb is hanok's built-in LoadBalancer, as k3s's ServiceLB:
// a Service of type LoadBalancer gets, as status.loadBalancer.ingress, the
// addresses of the Ready nodes (each node's ExternalIPs, or its
// InternalIPs when it has none), and the service proxy on every node
// answers those addresses on the service's ports. When any node carries
// the label svccontroller.k3s.cattle.io/enablelb=true, only such nodes are
// used (k3s's way of choosing LB nodes). Services with
// spec.loadBalancerClass set belong to another implementation and are
// left alone.
//
// Data flow: in through the shared Service and Node informers; out
// through the controller's own client, as
// system:controller:service-controller (update services/status), with an
// UpdatedIngressIP event when the addresses change.
package servicelb
