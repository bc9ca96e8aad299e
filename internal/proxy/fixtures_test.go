package proxy

import (
	"fmt"
	"net"

	v1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// Builders of API objects for the tests.

type svcOpt func(*v1.Service)

func service(ns, name, clusterIP string, ports []v1.ServicePort, opts ...svcOpt) *v1.Service {
	s := &v1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1.ServiceSpec{
			Type:       v1.ServiceTypeClusterIP,
			ClusterIP:  clusterIP,
			ClusterIPs: []string{clusterIP},
			Ports:      ports,
		},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func tcpPort(name string, port, nodePort int32) v1.ServicePort {
	return v1.ServicePort{Name: name, Protocol: v1.ProtocolTCP, Port: port, NodePort: nodePort}
}

func withType(t v1.ServiceType) svcOpt { return func(s *v1.Service) { s.Spec.Type = t } }

func withLB(ips ...string) svcOpt {
	return func(s *v1.Service) {
		s.Spec.Type = v1.ServiceTypeLoadBalancer
		for _, ip := range ips {
			s.Status.LoadBalancer.Ingress = append(s.Status.LoadBalancer.Ingress, v1.LoadBalancerIngress{IP: ip})
		}
	}
}

func withExternalIPs(ips ...string) svcOpt {
	return func(s *v1.Service) { s.Spec.ExternalIPs = ips }
}

func withAffinity(seconds int32) svcOpt {
	return func(s *v1.Service) {
		s.Spec.SessionAffinity = v1.ServiceAffinityClientIP
		s.Spec.SessionAffinityConfig = &v1.SessionAffinityConfig{ClientIP: &v1.ClientIPConfig{TimeoutSeconds: ptr.To(seconds)}}
	}
}

func withExternalLocal() svcOpt {
	return func(s *v1.Service) { s.Spec.ExternalTrafficPolicy = v1.ServiceExternalTrafficPolicyLocal }
}

func withInternalLocal() svcOpt {
	return func(s *v1.Service) {
		s.Spec.InternalTrafficPolicy = ptr.To(v1.ServiceInternalTrafficPolicyLocal)
	}
}

func withSourceRanges(r ...string) svcOpt {
	return func(s *v1.Service) { s.Spec.LoadBalancerSourceRanges = r }
}

// ep is one endpoint of a slice: "ip@node" with readiness.
type ep struct {
	ip, node                    string
	ready, serving, terminating bool
}

func readyEP(ip, node string) ep { return ep{ip: ip, node: node, ready: true, serving: true} }
func terminatingEP(ip, node string) ep {
	return ep{ip: ip, node: node, serving: true, terminating: true}
}

func slice(ns, svc, name, portName string, port int32, eps ...ep) *discoveryv1.EndpointSlice {
	s := &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name,
			Labels: map[string]string{discoveryv1.LabelServiceName: svc}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Name: ptr.To(portName), Port: ptr.To(port), Protocol: ptr.To(v1.ProtocolTCP)}},
	}
	if net.ParseIP(eps0(eps)).To4() == nil && eps0(eps) != "" {
		s.AddressType = discoveryv1.AddressTypeIPv6
	}
	for _, e := range eps {
		s.Endpoints = append(s.Endpoints, discoveryv1.Endpoint{
			Addresses: []string{e.ip},
			NodeName:  ptr.To(e.node),
			Conditions: discoveryv1.EndpointConditions{
				Ready: ptr.To(e.ready), Serving: ptr.To(e.serving), Terminating: ptr.To(e.terminating),
			},
		})
	}
	return s
}

func eps0(eps []ep) string {
	if len(eps) == 0 {
		return ""
	}
	return eps[0].ip
}

// bigCluster is n services of m ready endpoints each, for benchmarks.
func bigCluster(n, m int) ([]*v1.Service, []*discoveryv1.EndpointSlice) {
	var svcs []*v1.Service
	var slices []*discoveryv1.EndpointSlice
	for i := range n {
		name := fmt.Sprintf("svc-%d", i)
		opts := []svcOpt{}
		if i%10 == 0 {
			opts = append(opts, withType(v1.ServiceTypeNodePort))
		}
		svcs = append(svcs, service("bench", name, fmt.Sprintf("10.96.%d.%d", i/250, i%250+1),
			[]v1.ServicePort{tcpPort("http", 80, int32(30000+i%2000))}, opts...))
		var eps []ep
		for j := range m {
			eps = append(eps, readyEP(fmt.Sprintf("10.%d.%d.%d", 100+i/250, i%250, j+1), fmt.Sprintf("node-%d", j%3)))
		}
		slices = append(slices, slice("bench", name, name+"-abc", "http", 8080, eps...))
	}
	return svcs, slices
}
