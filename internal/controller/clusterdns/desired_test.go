package clusterdns

import (
	"net"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func node(name string, ready corev1.ConditionStatus, ips ...string) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if ready != "" {
		n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready}}
	}
	for _, ip := range ips {
		n.Status.Addresses = append(n.Status.Addresses, corev1.NodeAddress{Type: corev1.NodeInternalIP, Address: ip})
	}
	return n
}

// entries is a slice's endpoints as "node=address".
func entries(sl *discoveryv1.EndpointSlice) []string {
	out := []string{}
	for _, e := range sl.Endpoints {
		if e.NodeName == nil || len(e.Addresses) != 1 || !*e.Conditions.Ready || !*e.Conditions.Serving || *e.Conditions.Terminating {
			out = append(out, "malformed")
			continue
		}
		out = append(out, *e.NodeName+"="+e.Addresses[0])
	}
	return out
}

func TestDesiredSlice(t *testing.T) {
	deleting := node("d", corev1.ConditionTrue, "10.0.0.4")
	deleting.DeletionTimestamp = &metav1.Time{}
	hostname := node("h", corev1.ConditionTrue)
	hostname.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeHostName, Address: "h"}, {Type: corev1.NodeExternalIP, Address: "1.2.3.4"}}
	nodes := []*corev1.Node{
		node("c", corev1.ConditionTrue, "10.0.0.3", "fd00::3"),
		node("a", corev1.ConditionTrue, "fd00::1", "10.0.0.1"),
		node("b", corev1.ConditionFalse, "10.0.0.2"),
		node("u", corev1.ConditionUnknown, "10.0.0.5"),
		node("n", "", "10.0.0.6"),
		deleting, hostname,
	}
	tests := []struct {
		name      string
		clusterIP string
		want      []string
		typ       discoveryv1.AddressType
	}{
		{"IPv4: Ready nodes' IPv4 InternalIPs, by name", "10.43.0.10", []string{"a=10.0.0.1", "c=10.0.0.3"}, discoveryv1.AddressTypeIPv4},
		{"IPv6", "fd00:43::a", []string{"a=fd00::1", "c=fd00::3"}, discoveryv1.AddressTypeIPv6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := desiredService("kube-system", "kube-dns", net.ParseIP(tt.clusterIP))
			svc.UID = "uid-1"
			sl := desiredSlice(svc, nodes)
			if got := entries(sl); !slices.Equal(got, tt.want) {
				t.Errorf("endpoints %q, want %q", got, tt.want)
			}
			if sl.AddressType != tt.typ || sl.Name != "kube-dns-nodes" || sl.Namespace != "kube-system" ||
				sl.Labels[discoveryv1.LabelServiceName] != "kube-dns" || sl.Labels[discoveryv1.LabelManagedBy] != ManagedBy {
				t.Errorf("slice meta %+v type %s", sl.ObjectMeta, sl.AddressType)
			}
			if len(sl.OwnerReferences) != 1 || sl.OwnerReferences[0].UID != "uid-1" || sl.OwnerReferences[0].BlockOwnerDeletion != nil {
				t.Errorf("owner %+v", sl.OwnerReferences)
			}
			var ports []string
			for _, p := range sl.Ports {
				ports = append(ports, *p.Name+"/"+string(*p.Protocol))
			}
			if !slices.Equal(ports, []string{"dns/UDP", "dns-tcp/TCP"}) {
				t.Errorf("ports %q", ports)
			}
			if !sameSlice(sl, desiredSlice(svc, nodes)) {
				t.Errorf("not the same as itself")
			}
			if sameSlice(sl, desiredSlice(svc, nodes[:1])) {
				t.Errorf("same with fewer nodes")
			}
		})
	}
	if got := entries(desiredSlice(desiredService("kube-system", "kube-dns", net.ParseIP("10.43.0.10")), nil)); len(got) != 0 {
		t.Errorf("no nodes: %q", got)
	}
}

func TestDesiredService(t *testing.T) {
	svc := desiredService("kube-system", "kube-dns", net.ParseIP("10.43.0.10"))
	if svc.Spec.ClusterIP != "10.43.0.10" || len(svc.Spec.Selector) != 0 || *svc.Spec.InternalTrafficPolicy != corev1.ServiceInternalTrafficPolicyLocal ||
		svc.Labels["k8s-app"] != "kube-dns" || svc.Labels["kubernetes.io/name"] != "CoreDNS" || svc.Spec.IPFamilies[0] != corev1.IPv4Protocol {
		t.Errorf("service %+v", svc)
	}
	if !ours(svc, net.ParseIP("10.43.0.10")) || updatedService(svc, net.ParseIP("10.43.0.10")) != nil {
		t.Errorf("the desired service is not ours as it is")
	}
}

func TestOursAndUpdated(t *testing.T) {
	ip := net.ParseIP("10.43.0.10")
	base := desiredService("kube-system", "kube-dns", ip)
	tests := []struct {
		name    string
		edit    func(*corev1.Service)
		ours    bool
		updated bool
	}{
		{"as desired", func(*corev1.Service) {}, true, false},
		{"another IP", func(s *corev1.Service) { s.Spec.ClusterIP = "10.43.0.11" }, false, false},
		{"a selector (someone's CoreDNS)", func(s *corev1.Service) { s.Spec.Selector = map[string]string{"k8s-app": "kube-dns"} }, false, false},
		{"extra user label kept", func(s *corev1.Service) { s.Labels["team"] = "x" }, true, false},
		{"label removed", func(s *corev1.Service) { delete(s.Labels, "k8s-app") }, true, true},
		{"ports changed", func(s *corev1.Service) { s.Spec.Ports = s.Spec.Ports[:1] }, true, true},
		{"metrics port added", func(s *corev1.Service) {
			s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Name: "metrics", Port: 9153, Protocol: corev1.ProtocolTCP})
		}, true, true},
		{"traffic policy Cluster", func(s *corev1.Service) {
			c := corev1.ServiceInternalTrafficPolicyCluster
			s.Spec.InternalTrafficPolicy = &c
		}, true, true},
		{"node ports the API server fills are not ours", func(s *corev1.Service) { s.Spec.Ports[0].NodePort = 0; s.Spec.SessionAffinity = "None" }, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base.DeepCopy()
			tt.edit(s)
			if got := ours(s, ip); got != tt.ours {
				t.Errorf("ours %v, want %v", got, tt.ours)
			}
			if !tt.ours {
				return
			}
			u := updatedService(s, ip)
			if (u != nil) != tt.updated {
				t.Fatalf("updated %v, want %v", u != nil, tt.updated)
			}
			if u != nil && updatedService(u, ip) != nil {
				t.Errorf("the update is not final")
			}
			if u != nil && tt.name == "extra user label kept" && u.Labels["team"] != "x" {
				t.Errorf("user label lost")
			}
		})
	}
}

func TestNodeChanged(t *testing.T) {
	a := node("a", corev1.ConditionTrue, "10.0.0.1")
	hb := a.DeepCopy()
	hb.Status.Conditions[0].LastHeartbeatTime = metav1.Now()
	if nodeChanged(a, hb) {
		t.Errorf("a heartbeat changes nothing")
	}
	notReady := a.DeepCopy()
	notReady.Status.Conditions[0].Status = corev1.ConditionFalse
	moved := node("a", corev1.ConditionTrue, "10.0.0.9")
	for _, n := range []*corev1.Node{notReady, moved} {
		if !nodeChanged(a, n) {
			t.Errorf("change not seen: %+v", n.Status)
		}
	}
}
