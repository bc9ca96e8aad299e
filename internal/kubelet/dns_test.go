package kubelet

import (
	"net"
	"reflect"
	"testing"

	v1 "k8s.io/api/core/v1"
)

func TestParseResolvConf(t *testing.T) {
	rc := parseResolvConf("# comment\nnameserver 1.1.1.1\nnameserver 8.8.8.8 ; x\nsearch a.example b.example\noptions edns0 ndots:2\n")
	want := resolvConf{Nameservers: []string{"1.1.1.1", "8.8.8.8"}, Searches: []string{"a.example", "b.example"}, Options: []string{"edns0", "ndots:2"}}
	if !reflect.DeepEqual(rc, want) {
		t.Errorf("got %+v", rc)
	}
}

func TestPodDNSConfig(t *testing.T) {
	host := resolvConf{Nameservers: []string{"1.1.1.1"}, Searches: []string{"corp.example"}, Options: []string{"edns0"}}
	clusterDNS := []net.IP{net.ParseIP("10.43.0.10")}
	five := "5"
	cases := []struct {
		name     string
		mod      func(*v1.Pod)
		dns      []net.IP
		servers  []string
		searches []string
		options  []string
	}{
		{"ClusterFirst", nil, clusterDNS, []string{"10.43.0.10"},
			[]string{"ns1.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example"}, []string{"ndots:5"}},
		{"ClusterFirst on host network is Default", func(p *v1.Pod) { p.Spec.HostNetwork = true }, clusterDNS,
			[]string{"1.1.1.1"}, []string{"corp.example"}, []string{"edns0"}},
		{"ClusterFirstWithHostNet", func(p *v1.Pod) { p.Spec.HostNetwork = true; p.Spec.DNSPolicy = v1.DNSClusterFirstWithHostNet }, clusterDNS,
			[]string{"10.43.0.10"}, []string{"ns1.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example"}, []string{"ndots:5"}},
		{"ClusterFirst without cluster DNS falls back", nil, nil, []string{"1.1.1.1"}, []string{"corp.example"}, []string{"edns0"}},
		{"Default", func(p *v1.Pod) { p.Spec.DNSPolicy = v1.DNSDefault }, clusterDNS, []string{"1.1.1.1"}, []string{"corp.example"}, []string{"edns0"}},
		{"None with dnsConfig", func(p *v1.Pod) {
			p.Spec.DNSPolicy = v1.DNSNone
			p.Spec.DNSConfig = &v1.PodDNSConfig{Nameservers: []string{"9.9.9.9"}, Searches: []string{"x.example"},
				Options: []v1.PodDNSConfigOption{{Name: "ndots", Value: &five}, {Name: "rotate"}}}
		}, clusterDNS, []string{"9.9.9.9"}, []string{"x.example"}, []string{"ndots:5", "rotate"}},
		{"dnsConfig merges and overrides options", func(p *v1.Pod) {
			two := "2"
			p.Spec.DNSConfig = &v1.PodDNSConfig{Searches: []string{"extra.example", "cluster.local"},
				Options: []v1.PodDNSConfigOption{{Name: "ndots", Value: &two}, {Name: "edns0"}}}
		}, clusterDNS, []string{"10.43.0.10"},
			[]string{"ns1.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example", "extra.example"}, []string{"ndots:2", "edns0"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := &v1.Pod{}
			p.Namespace = "ns1"
			if tc.mod != nil {
				tc.mod(p)
			}
			got := podDNSConfig(dnsInput{Pod: p, ClusterDNS: tc.dns, ClusterDomain: "cluster.local", Host: host})
			if !reflect.DeepEqual(got.Servers, tc.servers) || !reflect.DeepEqual(got.Searches, tc.searches) || !reflect.DeepEqual(got.Options, tc.options) {
				t.Errorf("got servers %v searches %v options %v", got.Servers, got.Searches, got.Options)
			}
		})
	}
}
