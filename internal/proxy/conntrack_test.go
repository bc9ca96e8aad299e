package proxy

import (
	"slices"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/utils/ptr"
)

func TestStaleConntrack(t *testing.T) {
	dns := func(nodePort int32, ips ...string) Input {
		s := service("kube-system", "dns", "10.96.0.10", []v1.ServicePort{{Name: "dns", Protocol: v1.ProtocolUDP, Port: 53, NodePort: nodePort}})
		if nodePort != 0 {
			s.Spec.Type = v1.ServiceTypeNodePort
		}
		var eps []ep
		for _, ip := range ips {
			eps = append(eps, readyEP(ip, "n1"))
		}
		sl := slice("kube-system", "dns", "dns-1", "dns", 53, eps...)
		sl.Ports[0].Protocol = ptr.To(v1.ProtocolUDP)
		return Input{Services: []*v1.Service{s}, Slices: []*discoveryv1.EndpointSlice{sl}}
	}
	none := Input{}
	tests := []struct {
		name       string
		prev, next Input
		want       []string
	}{
		{"unchanged", dns(0, "10.244.0.5"), dns(0, "10.244.0.5"), nil},
		{"endpoint added", dns(0, "10.244.0.5"), dns(0, "10.244.0.5", "10.244.0.6"), nil},
		{"endpoint removed", dns(30053, "10.244.0.5", "10.244.0.6"), dns(30053, "10.244.0.6"), []string{
			"-D --orig-dst 10.96.0.10 --dst-nat 10.244.0.5 -p udp",
			"-D -p udp --dport 30053 --dst-nat 10.244.0.5",
		}},
		{"first endpoint", dns(30053), dns(30053, "10.244.0.5"), []string{
			"-D --orig-dst 10.96.0.10 -p udp",
			"-D -p udp --dport 30053",
		}},
		{"service gone", dns(0, "10.244.0.5"), none, []string{"-D --orig-dst 10.96.0.10 --dst-nat 10.244.0.5 -p udp"}},
		{"new service", none, dns(0, "10.244.0.5"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, args := range staleConntrack(Build(tt.prev), Build(tt.next)) {
				got = append(got, strings.Join(args, " "))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
	if got := staleConntrack(nil, Build(dns(0, "10.244.0.5"))); got != nil {
		t.Errorf("nothing known before: %v", got)
	}
}
