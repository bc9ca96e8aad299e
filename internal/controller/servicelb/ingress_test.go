package servicelb

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func node(name string, isReady bool, labels map[string]string, addrs ...corev1.NodeAddress) *corev1.Node {
	status := corev1.ConditionFalse
	if isReady {
		status = corev1.ConditionTrue
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Status: corev1.NodeStatus{
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: status}},
			Addresses:  addrs,
		},
	}
}

func internal(ip string) corev1.NodeAddress {
	return corev1.NodeAddress{Type: corev1.NodeInternalIP, Address: ip}
}
func external(ip string) corev1.NodeAddress {
	return corev1.NodeAddress{Type: corev1.NodeExternalIP, Address: ip}
}

func ips(in []corev1.LoadBalancerIngress) []string {
	var out []string
	for _, i := range in {
		out = append(out, i.IP)
	}
	return out
}

func TestIngressFor(t *testing.T) {
	lb := &corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer}}
	v6 := lb.DeepCopy()
	v6.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv6Protocol}
	enable := map[string]string{LabelEnableLB: "true"}
	tests := []struct {
		name  string
		svc   *corev1.Service
		nodes []*corev1.Node
		want  []string
	}{
		{"no nodes", lb, nil, nil},
		{"ready nodes' internal IPs, sorted", lb, []*corev1.Node{
			node("b", true, nil, internal("10.0.0.12")),
			node("a", true, nil, internal("10.0.0.2"), corev1.NodeAddress{Type: corev1.NodeHostName, Address: "a"}),
		}, []string{"10.0.0.2", "10.0.0.12"}},
		{"not-ready nodes left out", lb, []*corev1.Node{
			node("a", true, nil, internal("10.0.0.2")),
			node("b", false, nil, internal("10.0.0.3")),
			{ObjectMeta: metav1.ObjectMeta{Name: "c"}, Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{internal("10.0.0.4")}}},
		}, []string{"10.0.0.2"}},
		{"external IP in place of internal", lb, []*corev1.Node{
			node("a", true, nil, internal("10.0.0.2"), external("203.0.113.7")),
			node("b", true, nil, internal("10.0.0.3")),
		}, []string{"10.0.0.3", "203.0.113.7"}},
		{"only enablelb nodes when any has the label", lb, []*corev1.Node{
			node("a", true, enable, internal("10.0.0.2")),
			node("b", true, nil, internal("10.0.0.3")),
		}, []string{"10.0.0.2"}},
		{"service families", v6, []*corev1.Node{
			node("a", true, nil, internal("10.0.0.2"), internal("fd00::2")),
		}, []string{"fd00::2"}},
		{"duplicates once", lb, []*corev1.Node{
			node("a", true, nil, internal("10.0.0.2")),
			node("b", true, nil, internal("10.0.0.2")),
		}, []string{"10.0.0.2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ingressFor(tt.svc, tt.nodes)
			if g := ips(got); len(g) != len(tt.want) || (len(g) > 0 && !equal(g, tt.want)) {
				t.Errorf("got %v, want %v", g, tt.want)
			}
			for _, i := range got {
				if i.IPMode == nil || *i.IPMode != corev1.LoadBalancerIPModeVIP {
					t.Errorf("%s: ipMode %v, want VIP", i.IP, i.IPMode)
				}
			}
		})
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestManaged(t *testing.T) {
	tests := []struct {
		svc  corev1.ServiceSpec
		want bool
	}{
		{corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer}, true},
		{corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, LoadBalancerClass: ptr.To("example.com/lb")}, false},
		{corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort}, false},
		{corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP}, false},
	}
	for _, tt := range tests {
		if got := managed(&corev1.Service{Spec: tt.svc}); got != tt.want {
			t.Errorf("%+v: %v, want %v", tt.svc, got, tt.want)
		}
	}
}

func TestSameIngress(t *testing.T) {
	vip, proxy := corev1.LoadBalancerIPModeVIP, corev1.LoadBalancerIPModeProxy
	a := []corev1.LoadBalancerIngress{{IP: "10.0.0.2", IPMode: &vip}}
	if !sameIngress(a, []corev1.LoadBalancerIngress{{IP: "10.0.0.2"}}) {
		t.Error("unset mode should equal VIP")
	}
	if sameIngress(a, []corev1.LoadBalancerIngress{{IP: "10.0.0.2", IPMode: &proxy}}) {
		t.Error("Proxy mode equals VIP")
	}
	if sameIngress(a, nil) || !sameIngress(nil, nil) {
		t.Error("empty lists")
	}
}
