package core

import (
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func testService() *v1.Service {
	return &v1.Service{
		ObjectMeta: objMeta("web"),
		Spec: v1.ServiceSpec{
			Selector: map[string]string{"app": "web"},
			Ports:    []v1.ServicePort{{Port: 80}},
		},
	}
}

func TestServiceDefaults(t *testing.T) {
	svc := testService()
	expectErrors(t, create(serviceStrategy{}, svc), "")
	s := svc.Spec
	if s.Type != v1.ServiceTypeClusterIP || s.SessionAffinity != v1.ServiceAffinityNone {
		t.Errorf("type/affinity = %s/%s", s.Type, s.SessionAffinity)
	}
	if p := s.Ports[0]; p.Protocol != v1.ProtocolTCP || p.TargetPort != intstr.FromInt32(80) {
		t.Errorf("port defaults: %+v", p)
	}
	if *s.IPFamilyPolicy != v1.IPFamilyPolicySingleStack || len(s.IPFamilies) != 1 || s.IPFamilies[0] != v1.IPv4Protocol {
		t.Errorf("ip families: %v %v", *s.IPFamilyPolicy, s.IPFamilies)
	}
	if *s.InternalTrafficPolicy != v1.ServiceInternalTrafficPolicyCluster || s.ExternalTrafficPolicy != "" {
		t.Errorf("traffic policies: %v %q", *s.InternalTrafficPolicy, s.ExternalTrafficPolicy)
	}

	np := testService()
	np.Spec.Type = v1.ServiceTypeNodePort
	np.Spec.ClusterIP = "fd00::10"
	expectErrors(t, create(serviceStrategy{}, np), "")
	if np.Spec.ExternalTrafficPolicy != v1.ServiceExternalTrafficPolicyCluster {
		t.Errorf("NodePort externalTrafficPolicy = %q", np.Spec.ExternalTrafficPolicy)
	}
	if len(np.Spec.ClusterIPs) != 1 || np.Spec.IPFamilies[0] != v1.IPv6Protocol {
		t.Errorf("clusterIPs %v families %v", np.Spec.ClusterIPs, np.Spec.IPFamilies)
	}
}

func TestServiceCreate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*v1.Service)
		want   string
	}{
		{"valid", func(*v1.Service) {}, ""},
		{"headless without ports", func(s *v1.Service) { s.Spec.ClusterIP = "None"; s.Spec.Ports = nil }, ""},
		{"dual-stack addresses", func(s *v1.Service) { s.Spec.ClusterIPs = []string{"10.96.0.5", "fd00::5"} }, ""},
		{"two IPv4 addresses", func(s *v1.Service) { s.Spec.ClusterIPs = []string{"10.96.0.5", "10.96.0.6"} },
			`spec.clusterIPs[1]: Invalid value: "10.96.0.6": must be of a different IP family than clusterIPs[0]`},
		{"family mismatch", func(s *v1.Service) {
			s.Spec.ClusterIP = "10.96.0.5"
			s.Spec.IPFamilies = []v1.IPFamily{v1.IPv6Protocol}
		}, `spec.ipFamilies[0]: Invalid value: "IPv6": does not match the IP family of clusterIPs[0] (10.96.0.5)`},
		{"external name", func(s *v1.Service) {
			s.Spec = v1.ServiceSpec{Type: v1.ServiceTypeExternalName, ExternalName: "db.example.com"}
		}, ""},
		{"port 0", func(s *v1.Service) { s.Spec.Ports[0].Port = 0 },
			"spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"},
		{"port 70000", func(s *v1.Service) { s.Spec.Ports[0].Port = 70000 },
			"spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"},
		{"no ports", func(s *v1.Service) { s.Spec.Ports = nil }, "spec.ports: Required value"},
		{"names required with two ports", func(s *v1.Service) {
			s.Spec.Ports = append(s.Spec.Ports, v1.ServicePort{Name: "https", Port: 443})
		}, "spec.ports[0].name: Required value"},
		{"duplicate port names", func(s *v1.Service) {
			s.Spec.Ports = []v1.ServicePort{{Name: "http", Port: 80}, {Name: "http", Port: 81}}
		}, `spec.ports[1].name: Duplicate value: "http"`},
		{"bad type", func(s *v1.Service) { s.Spec.Type = "Magic" },
			`spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"`},
		{"bad protocol", func(s *v1.Service) { s.Spec.Ports[0].Protocol = "ICMP" },
			`spec.ports[0].protocol: Unsupported value: "ICMP"`},
		{"bad targetPort name", func(s *v1.Service) { s.Spec.Ports[0].TargetPort = intstr.FromString("Web_Port") },
			`spec.ports[0].targetPort: Invalid value: "Web_Port"`},
		{"nodePort on ClusterIP", func(s *v1.Service) { s.Spec.Ports[0].NodePort = 30080 },
			"spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"},
		{"bad selector", func(s *v1.Service) { s.Spec.Selector = map[string]string{"app": "a b"} },
			`spec.selector: Invalid value: "a b"`},
		{"bad clusterIP", func(s *v1.Service) { s.Spec.ClusterIP = "10.0.0.300" },
			`spec.clusterIPs[0]: Invalid value: "10.0.0.300"`},
		{"external name missing", func(s *v1.Service) { s.Spec = v1.ServiceSpec{Type: v1.ServiceTypeExternalName} },
			"spec.externalName: Required value"},
		{"external traffic policy on ClusterIP", func(s *v1.Service) { s.Spec.ExternalTrafficPolicy = v1.ServiceExternalTrafficPolicyLocal },
			`spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services`},
		{"upper-case name", func(s *v1.Service) { s.Name = "Web" },
			`metadata.name: Invalid value: "Web": a lowercase RFC 1123 label must consist of`},
		{"dotted name", func(s *v1.Service) { s.Name = "web.v1" },
			`metadata.name: Invalid value: "web.v1": must not contain dots`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := testService()
			tt.mutate(svc)
			expectErrors(t, create(serviceStrategy{}, svc), tt.want)
		})
	}
}

func TestServiceUpdate(t *testing.T) {
	allocated := func() *v1.Service {
		s := testService()
		s.Spec.Type = v1.ServiceTypeNodePort
		s.Spec.ClusterIP = "10.96.0.10"
		s.Spec.Ports[0].NodePort = 30080
		return s
	}
	tests := []struct {
		name   string
		mutate func(*v1.Service)
		want   string
		check  func(*testing.T, *v1.Service)
	}{
		{"apply without allocated fields keeps them", func(s *v1.Service) {
			s.Spec.ClusterIP, s.Spec.ClusterIPs, s.Spec.Ports[0].NodePort = "", nil, 0
		}, "", func(t *testing.T, s *v1.Service) {
			if s.Spec.ClusterIP != "10.96.0.10" || s.Spec.Ports[0].NodePort != 30080 {
				t.Errorf("allocated values lost: %s %d", s.Spec.ClusterIP, s.Spec.Ports[0].NodePort)
			}
		}},
		{"clusterIP immutable", func(s *v1.Service) { s.Spec.ClusterIP, s.Spec.ClusterIPs = "10.96.0.11", nil },
			`spec.clusterIPs[0]: Invalid value: ["10.96.0.11"]: may not change once set`, nil},
		{"to ExternalName drops the IP", func(s *v1.Service) {
			s.Spec = v1.ServiceSpec{Type: v1.ServiceTypeExternalName, ExternalName: "db.example.com"}
		}, "", nil},
		{"selector change", func(s *v1.Service) { s.Spec.Selector = map[string]string{"app": "api"} }, "", nil},
		{"patch to ExternalName keeping old fields", func(s *v1.Service) {
			s.Spec.Type, s.Spec.ExternalName = v1.ServiceTypeExternalName, "db.example.com"
		}, "", func(t *testing.T, s *v1.Service) {
			if s.Spec.ClusterIP != "" || s.Spec.IPFamilies != nil || s.Spec.Ports[0].NodePort != 0 || s.Spec.ExternalTrafficPolicy != "" {
				t.Errorf("type-dependent fields kept: %+v", s.Spec)
			}
		}},
		{"patch to ClusterIP drops node ports", func(s *v1.Service) { s.Spec.Type = v1.ServiceTypeClusterIP }, "",
			func(t *testing.T, s *v1.Service) {
				if s.Spec.Ports[0].NodePort != 0 || s.Spec.ClusterIP != "10.96.0.10" {
					t.Errorf("nodePort %d clusterIP %q", s.Spec.Ports[0].NodePort, s.Spec.ClusterIP)
				}
			}},
		{"new nodePort on ClusterIP refused", func(s *v1.Service) {
			s.Spec.Type = v1.ServiceTypeClusterIP
			s.Spec.Ports[0].NodePort = 30999
		}, "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := stored(t, serviceStrategy{}, allocated()).(*v1.Service)
			svc := old.DeepCopy()
			tt.mutate(svc)
			expectErrors(t, update(serviceStrategy{}, svc, old), tt.want)
			if tt.check != nil {
				tt.check(t, svc)
			}
		})
	}
}

func TestServiceStatusUpdate(t *testing.T) {
	lb := []v1.LoadBalancerIngress{{IP: "192.0.2.1"}}
	tests := []struct {
		name    string
		svcType v1.ServiceType
		ingress []v1.LoadBalancerIngress
		want    string
	}{
		{"load balancer address", v1.ServiceTypeLoadBalancer, lb, ""},
		{"bad address", v1.ServiceTypeLoadBalancer, []v1.LoadBalancerIngress{{IP: "300.1.1.1"}}, "status.loadBalancer.ingress[0].ip"},
		{"address on a ClusterIP Service", v1.ServiceTypeClusterIP, lb,
			"status.loadBalancer.ingress: Forbidden: may only be used when `spec.type` is 'LoadBalancer'"},
		{"no address on a ClusterIP Service", v1.ServiceTypeClusterIP, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := testService()
			svc.Spec.Type = tt.svcType
			old := stored(t, serviceStrategy{}, svc).(*v1.Service)
			next := old.DeepCopy()
			next.Status.LoadBalancer.Ingress = tt.ingress
			expectErrors(t, serviceStrategy{}.ValidateStatusUpdate(ctx, next, old), tt.want)
		})
	}
}

func TestServiceTableRow(t *testing.T) {
	created := metav1.NewTime(time.Now().Add(-3 * time.Hour))
	tests := []struct {
		name string
		svc  v1.Service
		want []interface{}
	}{
		{"cluster ip", v1.Service{Spec: v1.ServiceSpec{Type: v1.ServiceTypeClusterIP, ClusterIPs: []string{"10.96.0.1"},
			Ports: []v1.ServicePort{{Port: 443, Protocol: v1.ProtocolTCP}}}},
			[]interface{}{"ClusterIP", "10.96.0.1", "<none>", "443/TCP", "3h", "<none>"}},
		{"node port", v1.Service{Spec: v1.ServiceSpec{Type: v1.ServiceTypeNodePort, ClusterIPs: []string{"10.96.0.2"},
			Selector: map[string]string{"app": "web"},
			Ports:    []v1.ServicePort{{Port: 80, NodePort: 30080, Protocol: v1.ProtocolTCP}, {Port: 53, Protocol: v1.ProtocolUDP}}}},
			[]interface{}{"NodePort", "10.96.0.2", "<none>", "80:30080/TCP,53/UDP", "3h", "app=web"}},
		{"pending load balancer", v1.Service{Spec: v1.ServiceSpec{Type: v1.ServiceTypeLoadBalancer, ClusterIPs: []string{"10.96.0.3"},
			Ports: []v1.ServicePort{{Port: 80, NodePort: 31000, Protocol: v1.ProtocolTCP}}}},
			[]interface{}{"LoadBalancer", "10.96.0.3", "<pending>", "80:31000/TCP", "3h", "<none>"}},
		{"external name", v1.Service{Spec: v1.ServiceSpec{Type: v1.ServiceTypeExternalName, ExternalName: "db.example.com"}},
			[]interface{}{"ExternalName", "<none>", "db.example.com", "<none>", "3h", "<none>"}},
	}
	for _, tt := range tests {
		tt.svc.CreationTimestamp = created
		got := serviceStrategy{}.TableRow(&tt.svc)
		for i := range tt.want {
			if got[i] != tt.want[i] {
				t.Errorf("%s: cell %d = %v, want %v", tt.name, i, got[i], tt.want[i])
			}
		}
	}
}

// TestServiceUpdateDefaultFirst: the handler may default before
// PrepareForUpdate; an IPv6 service updated without its clusterIP must not
// end up with the IPv4 family Default guessed.
func TestServiceUpdateDefaultFirst(t *testing.T) {
	o := testService()
	o.Spec.ClusterIP = "fd00::10"
	old := stored(t, serviceStrategy{}, o).(*v1.Service)
	svc := testService()
	svc.ResourceVersion = old.ResourceVersion
	svc.UID, svc.CreationTimestamp = old.UID, old.CreationTimestamp
	s := serviceStrategy{}
	s.Default(svc)
	s.PrepareForUpdate(ctx, svc, old)
	expectErrors(t, s.ValidateUpdate(ctx, svc, old), "")
	if svc.Spec.ClusterIP != "fd00::10" || svc.Spec.IPFamilies[0] != v1.IPv6Protocol {
		t.Errorf("clusterIP %q families %v", svc.Spec.ClusterIP, svc.Spec.IPFamilies)
	}
}
