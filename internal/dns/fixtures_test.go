package dns

import (
	"fmt"
	"strings"

	mdns "github.com/miekg/dns"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func svc(ns, name, clusterIP string, ports ...corev1.ServicePort) *corev1.Service {
	s := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       corev1.ServiceSpec{ClusterIP: clusterIP, Ports: ports},
	}
	if clusterIP != "" && clusterIP != corev1.ClusterIPNone {
		s.Spec.ClusterIPs = strings.Split(clusterIP, ",")
		s.Spec.ClusterIP = s.Spec.ClusterIPs[0]
	}
	return s
}

func externalSvc(ns, name, target string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: target},
	}
}

func svcPort(name string, proto corev1.Protocol, port int32) corev1.ServicePort {
	return corev1.ServicePort{Name: name, Protocol: proto, Port: port}
}

type ep struct {
	ip       string
	hostname string
	notReady bool
}

func slice(ns, service, name string, ports []discoveryv1.EndpointPort, eps ...ep) *discoveryv1.EndpointSlice {
	sl := &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{discoveryv1.LabelServiceName: service}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       ports,
	}
	for _, e := range eps {
		x := discoveryv1.Endpoint{Addresses: []string{e.ip}}
		if e.hostname != "" {
			x.Hostname = &e.hostname
		}
		if e.notReady {
			f := false
			x.Conditions.Ready = &f
		}
		if strings.Contains(e.ip, ":") {
			sl.AddressType = discoveryv1.AddressTypeIPv6
		}
		sl.Endpoints = append(sl.Endpoints, x)
	}
	return sl
}

func slicePort(name string, proto corev1.Protocol, port int32) discoveryv1.EndpointPort {
	return discoveryv1.EndpointPort{Name: &name, Protocol: &proto, Port: &port}
}

// fixture is a small cluster: every kind of service the answers cover.
func fixture() *Snapshot {
	services := []*corev1.Service{
		svc("default", "web", "10.43.0.20", svcPort("http", corev1.ProtocolTCP, 80), svcPort("dns", corev1.ProtocolUDP, 53)),
		svc("default", "dual", "10.43.0.21,fd00::21", svcPort("", corev1.ProtocolTCP, 80)),
		svc("default", "db", corev1.ClusterIPNone, svcPort("pg", corev1.ProtocolTCP, 5432)),
		svc("default", "empty", corev1.ClusterIPNone),
		externalSvc("default", "ext", "www.example.com"),
		externalSvc("default", "inner", "web.default.svc.cluster.local."),
		externalSvc("default", "loop", "loop.default.svc.cluster.local"),
		svc("kube-system", "kube-dns", "10.43.0.10", svcPort("dns", corev1.ProtocolUDP, 53), svcPort("dns-tcp", corev1.ProtocolTCP, 53)),
		svc("default", "big", corev1.ClusterIPNone),
	}
	pg := []discoveryv1.EndpointPort{slicePort("pg", corev1.ProtocolTCP, 5432)}
	var many []ep
	for i := range 100 {
		many = append(many, ep{ip: fmt.Sprintf("10.42.9.%d", i+1)})
	}
	slices := []*discoveryv1.EndpointSlice{
		slice("default", "db", "db-abc", pg,
			ep{ip: "10.42.0.5", hostname: "db-0"}, ep{ip: "10.42.1.6", hostname: "db-1"},
			ep{ip: "10.42.2.7"}, ep{ip: "10.42.3.8", hostname: "db-3", notReady: true}),
		slice("default", "db", "db-v6", pg, ep{ip: "fd00:42::5", hostname: "db-0"}),
		slice("default", "web", "web-abc", []discoveryv1.EndpointPort{slicePort("http", corev1.ProtocolTCP, 8080)}, ep{ip: "10.42.0.9"}),
		slice("default", "big", "big-abc", nil, many...),
		slice("other", "db", "db-elsewhere", pg, ep{ip: "10.42.7.7"}), // no such service in "other"
	}
	return Build("cluster.local", 5, 42, services, slices)
}

func query(name string, qtype uint16) *mdns.Msg {
	m := new(mdns.Msg)
	m.SetQuestion(name, qtype) // SetQuestion keeps the name as given
	m.RecursionDesired = true
	return m
}

// short is an RR without TTL and class: "name TYPE rdata".
func short(rr mdns.RR) string {
	f := strings.Fields(rr.String())
	return strings.Join(append([]string{f[0], f[3]}, f[4:]...), " ")
}

func shorts(rrs []mdns.RR) []string {
	out := []string{}
	for _, rr := range rrs {
		out = append(out, short(rr))
	}
	return out
}
