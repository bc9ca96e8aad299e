package podnet

import (
	"fmt"
	"testing"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func node(name, ip, cidr, mac string) *v1.Node {
	n := &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{}}}
	if ip != "" {
		n.Status.Addresses = []v1.NodeAddress{{Type: v1.NodeInternalIP, Address: ip}}
	}
	if cidr != "" {
		n.Spec.PodCIDR, n.Spec.PodCIDRs = cidr, []string{cidr}
	}
	if mac != "" {
		n.Annotations[AnnotationVTEPMAC] = mac
	}
	return n
}

func TestDesired(t *testing.T) {
	nodes := []*v1.Node{
		node("a", "10.0.0.1", "10.42.0.0/24", "02:00:00:00:00:01"),
		node("c", "10.0.0.3", "10.42.2.0/24", ""), // no VTEP yet
		node("b", "10.0.0.2", "10.42.1.0/24", "02:00:00:00:00:02"),
		node("d", "", "10.42.3.0/24", "02:00:00:00:00:04"), // no address yet
		node("e", "10.0.0.5", "", "02:00:00:00:00:05"),     // no pod CIDR yet
	}
	cases := []struct {
		backend    string
		wantRoutes []string
		wantNeigh  []string
	}{
		{BackendHostGW, []string{"10.42.1.0/24 via 10.0.0.2", "10.42.2.0/24 via 10.0.0.3"}, nil},
		{BackendVXLAN, []string{"10.42.1.0/24 via 10.42.1.0 vxlan"}, []string{"10.42.1.0 02:00:00:00:00:02 -> 10.0.0.2"}},
		{BackendNone, nil, nil},
	}
	for _, c := range cases {
		plan := Desired(nodes, "a", c.backend)
		var routes, neigh []string
		for _, r := range plan.Routes {
			s := fmt.Sprintf("%s via %s", r.Dst, r.Gateway)
			if r.VXLAN {
				s += " vxlan"
			}
			routes = append(routes, s)
		}
		for _, n := range plan.Neighbours {
			neigh = append(neigh, fmt.Sprintf("%s %s -> %s", n.IP, n.MAC, n.NodeIP))
		}
		if fmt.Sprint(routes) != fmt.Sprint(c.wantRoutes) || fmt.Sprint(neigh) != fmt.Sprint(c.wantNeigh) {
			t.Errorf("%s: routes %v neighbours %v, want %v %v", c.backend, routes, neigh, c.wantRoutes, c.wantNeigh)
		}
	}
}
