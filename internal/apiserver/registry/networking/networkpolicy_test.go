package networking

import (
	"reflect"
	"testing"

	v1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func newPolicy() *networkingv1.NetworkPolicy {
	port := intstr.FromInt32(5432)
	return &networkingv1.NetworkPolicy{
		ObjectMeta: meta("db"),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				Ports: []networkingv1.NetworkPolicyPort{{Port: &port}},
				From: []networkingv1.NetworkPolicyPeer{
					{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "api"}}},
					{IPBlock: &networkingv1.IPBlock{CIDR: "10.0.0.0/8", Except: []string{"10.1.0.0/16"}}},
				},
			}},
		},
	}
}

func TestNetworkPolicyDefaults(t *testing.T) {
	np := newPolicy()
	if errs := registrytest.Create(networkPolicyStrategy{}, np); len(errs) != 0 {
		t.Fatal(errs)
	}
	if !reflect.DeepEqual(np.Spec.PolicyTypes, []networkingv1.PolicyType{"Ingress"}) || *np.Spec.Ingress[0].Ports[0].Protocol != v1.ProtocolTCP {
		t.Errorf("defaults: %+v", np.Spec)
	}
	eg := newPolicy()
	eg.Spec.Egress = []networkingv1.NetworkPolicyEgressRule{{}}
	registrytest.Create(networkPolicyStrategy{}, eg)
	if !reflect.DeepEqual(eg.Spec.PolicyTypes, []networkingv1.PolicyType{"Ingress", "Egress"}) {
		t.Errorf("egress policy types = %v", eg.Spec.PolicyTypes)
	}
}

func TestNetworkPolicyValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*networkingv1.NetworkPolicy)
		want   []registrytest.WantErr
	}{
		{"valid", func(*networkingv1.NetworkPolicy) {}, nil},
		{"deny all", func(np *networkingv1.NetworkPolicy) { np.Spec = networkingv1.NetworkPolicySpec{} }, nil},
		{"port range", func(np *networkingv1.NetworkPolicy) { np.Spec.Ingress[0].Ports[0].EndPort = ptr[int32](5440) }, nil},
		{"named port", func(np *networkingv1.NetworkPolicy) {
			p := intstr.FromString("postgres")
			np.Spec.Ingress[0].Ports[0].Port = &p
		}, nil},
		{"bad selector", func(np *networkingv1.NetworkPolicy) {
			np.Spec.PodSelector.MatchLabels = map[string]string{"app": "a b"}
		},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.podSelector.matchLabels"}}},
		{"empty peer", func(np *networkingv1.NetworkPolicy) { np.Spec.Ingress[0].From[0] = networkingv1.NetworkPolicyPeer{} },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.ingress[0].from[0]"}}},
		{"ipblock and selector", func(np *networkingv1.NetworkPolicy) {
			np.Spec.Ingress[0].From[1].NamespaceSelector = &metav1.LabelSelector{}
		}, []registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "spec.ingress[0].from[1]"}}},
		{"except outside cidr", func(np *networkingv1.NetworkPolicy) {
			np.Spec.Ingress[0].From[1].IPBlock.Except = []string{"192.168.0.0/16"}
		},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.ingress[0].from[1].ipBlock.except[0]"}}},
		{"bad cidr", func(np *networkingv1.NetworkPolicy) {
			np.Spec.Ingress[0].From[1].IPBlock = &networkingv1.IPBlock{CIDR: "10.0.0.0/33"}
		},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.ingress[0].from[1].ipBlock.cidr"}}},
		{"end below port", func(np *networkingv1.NetworkPolicy) { np.Spec.Ingress[0].Ports[0].EndPort = ptr[int32](80) },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.ingress[0].ports[0].endPort"}}},
		{"end with named port", func(np *networkingv1.NetworkPolicy) {
			p := intstr.FromString("pg")
			np.Spec.Ingress[0].Ports[0] = networkingv1.NetworkPolicyPort{Port: &p, EndPort: ptr[int32](9000)}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.ingress[0].ports[0].endPort"}}},
		{"bad protocol", func(np *networkingv1.NetworkPolicy) { np.Spec.Ingress[0].Ports[0].Protocol = ptr(v1.Protocol("ICMP")) },
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.ingress[0].ports[0].protocol"}}},
		{"bad policy type", func(np *networkingv1.NetworkPolicy) { np.Spec.PolicyTypes = []networkingv1.PolicyType{"Sideways"} },
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.policyTypes[0]"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			np := newPolicy()
			tt.mutate(np)
			registrytest.CheckErrors(t, registrytest.Create(networkPolicyStrategy{}, np), tt.want...)
		})
	}
}

func TestNetworkPolicyTable(t *testing.T) {
	if got := registrytest.ColumnNames(networkPolicyStrategy{}); !reflect.DeepEqual(got, []string{"Pod-Selector", "Age"}) {
		t.Errorf("columns = %v", got)
	}
	np := newPolicy()
	registrytest.CheckTable(t, networkPolicyStrategy{}, np, []interface{}{"app=db", ""})
	np.Spec.PodSelector = metav1.LabelSelector{}
	registrytest.CheckTable(t, networkPolicyStrategy{}, np, []interface{}{"<none>", ""})
}

func TestResources(t *testing.T) {
	want := map[string]struct {
		ns    bool
		short []string
		subs  []string
	}{
		"ingresses": {true, []string{"ing"}, []string{"status"}}, "ingressclasses": {false, nil, nil}, "networkpolicies": {true, []string{"netpol"}, nil},
	}
	for _, r := range Resources() {
		w, ok := want[r.Plural]
		if !ok || r.Namespaced != w.ns || !reflect.DeepEqual(r.ShortNames, w.short) || !reflect.DeepEqual(r.Subresources, w.subs) ||
			r.Categories != nil || r.GroupVersion.String() != "networking.k8s.io/v1" || reflect.TypeOf(r.New()).Elem().Name() != r.Kind {
			t.Errorf("%s: %+v", r.Plural, r)
		}
	}
}
