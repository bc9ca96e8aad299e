package discovery

import (
	"fmt"
	"reflect"
	"testing"

	v1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func ptr[T any](v T) *T { return &v }

func newSlice() *discoveryv1.EndpointSlice {
	s := &discoveryv1.EndpointSlice{
		ObjectMeta:  meta("web-abc12"),
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints: []discoveryv1.Endpoint{
			{Addresses: []string{"10.42.0.5"}, Conditions: discoveryv1.EndpointConditions{Ready: ptr(true)}, NodeName: ptr("node-1")},
			{Addresses: []string{"10.42.1.7"}, Hostname: ptr("web-1"), Hints: &discoveryv1.EndpointHints{ForZones: []discoveryv1.ForZone{{Name: "zone-a"}}}},
		},
		Ports: []discoveryv1.EndpointPort{{Name: ptr("http"), Port: ptr[int32](80)}},
	}
	s.Labels = map[string]string{discoveryv1.LabelServiceName: "web"}
	return s
}

func TestEndpointSliceDefaults(t *testing.T) {
	s := newSlice()
	s.Ports = append(s.Ports, discoveryv1.EndpointPort{Port: ptr[int32](53), Protocol: ptr(v1.ProtocolUDP)})
	if errs := registrytest.Create(endpointSliceStrategy{}, s); len(errs) != 0 {
		t.Fatal(errs)
	}
	if *s.Ports[0].Protocol != v1.ProtocolTCP || *s.Ports[1].Name != "" || *s.Ports[1].Protocol != v1.ProtocolUDP {
		t.Errorf("ports = %+v", s.Ports)
	}
}

func TestEndpointSliceValidate(t *testing.T) {
	many := make([]discoveryv1.Endpoint, maxEndpoints+1)
	for i := range many {
		many[i] = discoveryv1.Endpoint{Addresses: []string{fmt.Sprintf("10.1.%d.%d", i/250, i%250+1)}}
	}
	tests := []struct {
		name   string
		mutate func(*discoveryv1.EndpointSlice)
		want   []registrytest.WantErr
	}{
		{"valid", func(*discoveryv1.EndpointSlice) {}, nil},
		{"ipv6", func(s *discoveryv1.EndpointSlice) {
			s.AddressType = discoveryv1.AddressTypeIPv6
			s.Endpoints = []discoveryv1.Endpoint{{Addresses: []string{"fd00::5"}}}
		}, nil},
		{"fqdn", func(s *discoveryv1.EndpointSlice) {
			s.AddressType = discoveryv1.AddressTypeFQDN
			s.Endpoints = []discoveryv1.Endpoint{{Addresses: []string{"db.example.com"}}}
		}, nil},
		{"no endpoints", func(s *discoveryv1.EndpointSlice) { s.Endpoints = nil }, nil},
		{"all ports", func(s *discoveryv1.EndpointSlice) { s.Ports = []discoveryv1.EndpointPort{{}} }, nil},
		{"missing address type", func(s *discoveryv1.EndpointSlice) { s.AddressType = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "addressType"}}},
		{"bad address type", func(s *discoveryv1.EndpointSlice) { s.AddressType = "IPX" },
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "addressType"}}},
		{"too many endpoints", func(s *discoveryv1.EndpointSlice) { s.Endpoints = many },
			[]registrytest.WantErr{{Type: field.ErrorTypeTooMany, Field: "endpoints"}}},
		{"no addresses", func(s *discoveryv1.EndpointSlice) { s.Endpoints[0].Addresses = nil },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "endpoints[0].addresses"}}},
		{"ipv6 in ipv4 slice", func(s *discoveryv1.EndpointSlice) { s.Endpoints[0].Addresses = []string{"fd00::1"} },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "endpoints[0].addresses[0]"}}},
		{"not an ip", func(s *discoveryv1.EndpointSlice) { s.Endpoints[1].Addresses = []string{"web"} },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "endpoints[1].addresses[0]"}}},
		{"loopback", func(s *discoveryv1.EndpointSlice) { s.Endpoints[0].Addresses = []string{"127.0.0.1"} },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "endpoints[0].addresses[0]"}}},
		{"link local", func(s *discoveryv1.EndpointSlice) { s.Endpoints[0].Addresses = []string{"169.254.169.254"} },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "endpoints[0].addresses[0]"}}},
		{"bad hostname", func(s *discoveryv1.EndpointSlice) { s.Endpoints[1].Hostname = ptr("web.1") },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "endpoints[1].hostname"}}},
		{"bad node name", func(s *discoveryv1.EndpointSlice) { s.Endpoints[0].NodeName = ptr("Node_1") },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "endpoints[0].nodeName"}}},
		{"duplicate zone hint", func(s *discoveryv1.EndpointSlice) {
			s.Endpoints[1].Hints.ForZones = append(s.Endpoints[1].Hints.ForZones, discoveryv1.ForZone{Name: "zone-a"})
		}, []registrytest.WantErr{{Type: field.ErrorTypeDuplicate, Field: "endpoints[1].hints.forZones[1].name"}}},
		{"duplicate port name", func(s *discoveryv1.EndpointSlice) { s.Ports = append(s.Ports, s.Ports[0]) },
			[]registrytest.WantErr{{Type: field.ErrorTypeDuplicate, Field: "ports[1].name"}}},
		{"bad port name", func(s *discoveryv1.EndpointSlice) { s.Ports[0].Name = ptr("HTTP_") },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "ports[0].name"}}},
		{"bad protocol", func(s *discoveryv1.EndpointSlice) { s.Ports[0].Protocol = ptr(v1.Protocol("ICMP")) },
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "ports[0].protocol"}}},
		{"bad port", func(s *discoveryv1.EndpointSlice) { s.Ports[0].Port = ptr[int32](70000) },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "ports[0].port"}}},
		{"bad app protocol", func(s *discoveryv1.EndpointSlice) { s.Ports[0].AppProtocol = ptr("h2 c") },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "ports[0].appProtocol"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSlice()
			tt.mutate(s)
			registrytest.CheckErrors(t, registrytest.Create(endpointSliceStrategy{}, s), tt.want...)
		})
	}
}

func TestEndpointSliceUpdate(t *testing.T) {
	old := newSlice()
	registrytest.Create(endpointSliceStrategy{}, old)
	s := old.DeepCopy()
	s.Endpoints = s.Endpoints[:1]
	registrytest.CheckErrors(t, registrytest.Update(endpointSliceStrategy{}, s, old))
	if s.Generation != old.Generation+1 {
		t.Errorf("generation %d, want bump from %d", s.Generation, old.Generation)
	}
	s = old.DeepCopy()
	s.AddressType = discoveryv1.AddressTypeFQDN
	s.Endpoints = nil
	registrytest.CheckErrors(t, registrytest.Update(endpointSliceStrategy{}, s, old), registrytest.WantErr{Type: field.ErrorTypeInvalid, Field: "addressType"})
}

func TestEndpointSliceTable(t *testing.T) {
	if got, want := registrytest.ColumnNames(endpointSliceStrategy{}), []string{"AddressType", "Ports", "Endpoints", "Age"}; !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v", got)
	}
	s := newSlice()
	registrytest.Create(endpointSliceStrategy{}, s)
	registrytest.CheckTable(t, endpointSliceStrategy{}, s, []interface{}{"IPv4", "80", "10.42.0.5,10.42.1.7", ""})
	s.Endpoints = append(s.Endpoints, discoveryv1.Endpoint{Addresses: []string{"10.0.0.3", "10.0.0.4"}})
	s.Ports = []discoveryv1.EndpointPort{{Name: ptr("dns")}, {Port: ptr[int32](53)}, {}, {Port: ptr[int32](9153)}}
	registrytest.CheckTable(t, endpointSliceStrategy{}, s, []interface{}{"IPv4", "dns,53,* + 1 more...", "10.42.0.5,10.42.1.7,10.0.0.3 + 1 more...", ""})
	s.Endpoints, s.Ports = nil, nil
	registrytest.CheckTable(t, endpointSliceStrategy{}, s, []interface{}{"IPv4", "<unset>", "<unset>", ""})
}

func TestResources(t *testing.T) {
	rs := Resources()
	if len(rs) != 1 || rs[0].GroupVersion.String() != "discovery.k8s.io/v1" || rs[0].Plural != "endpointslices" || !rs[0].Namespaced {
		t.Errorf("%+v", rs)
	}
}
