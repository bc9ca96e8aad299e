package networking

import (
	"context"
	"reflect"
	"testing"

	v1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func ptr[T any](v T) *T { return &v }

func newIngress() *networkingv1.Ingress {
	return &networkingv1.Ingress{
		ObjectMeta: meta("web"),
		Spec: networkingv1.IngressSpec{
			IngressClassName: ptr("nginx"),
			TLS:              []networkingv1.IngressTLS{{Hosts: []string{"web.example.com"}, SecretName: "web-tls"}},
			Rules: []networkingv1.IngressRule{{
				Host: "web.example.com",
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
					Path: "/", PathType: ptr(networkingv1.PathTypePrefix),
					Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}},
				}}}},
			}},
		},
	}
}

func TestIngressValidate(t *testing.T) {
	path := func(i *networkingv1.Ingress) *networkingv1.HTTPIngressPath { return &i.Spec.Rules[0].HTTP.Paths[0] }
	tests := []struct {
		name   string
		mutate func(*networkingv1.Ingress)
		want   []registrytest.WantErr
	}{
		{"valid", func(*networkingv1.Ingress) {}, nil},
		{"wildcard host", func(i *networkingv1.Ingress) { i.Spec.Rules[0].Host = "*.example.com" }, nil},
		{"default backend only", func(i *networkingv1.Ingress) {
			i.Spec.DefaultBackend = &path(i).Backend
			i.Spec.Rules = nil
		}, nil},
		{"named port", func(i *networkingv1.Ingress) {
			path(i).Backend.Service.Port = networkingv1.ServiceBackendPort{Name: "http"}
		}, nil},
		{"resource backend", func(i *networkingv1.Ingress) {
			path(i).Backend = networkingv1.IngressBackend{Resource: &v1.TypedLocalObjectReference{APIGroup: ptr("k8s.example.com"), Kind: "StorageBucket", Name: "static"}}
		}, nil},
		{"nothing", func(i *networkingv1.Ingress) { i.Spec.Rules = nil }, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec"}}},
		{"ip host", func(i *networkingv1.Ingress) { i.Spec.Rules[0].Host = "10.0.0.1" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.rules[0].host"}}},
		{"no path type", func(i *networkingv1.Ingress) { path(i).PathType = nil },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.rules[0].http.paths[0].pathType"}}},
		{"bad path type", func(i *networkingv1.Ingress) { path(i).PathType = ptr(networkingv1.PathType("Regex")) },
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.rules[0].http.paths[0].pathType"}}},
		{"relative path", func(i *networkingv1.Ingress) { path(i).Path = "api" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.rules[0].http.paths[0].path"}}},
		{"dot segment", func(i *networkingv1.Ingress) { path(i).Path = "/a/../b" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.rules[0].http.paths[0].path"}}},
		{"no paths", func(i *networkingv1.Ingress) { i.Spec.Rules[0].HTTP.Paths = nil },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.rules[0].http.paths"}}},
		{"no port", func(i *networkingv1.Ingress) { path(i).Backend.Service.Port = networkingv1.ServiceBackendPort{} },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.rules[0].http.paths[0].backend"}}},
		{"both ports", func(i *networkingv1.Ingress) { path(i).Backend.Service.Port.Name = "http" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.rules[0].http.paths[0].backend"}}},
		{"both backends", func(i *networkingv1.Ingress) {
			path(i).Backend.Resource = &v1.TypedLocalObjectReference{Kind: "X", Name: "y"}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.rules[0].http.paths[0].backend"}}},
		{"bad service name", func(i *networkingv1.Ingress) { path(i).Backend.Service.Name = "Web" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.rules[0].http.paths[0].backend.service.name"}}},
		{"bad tls host", func(i *networkingv1.Ingress) { i.Spec.TLS[0].Hosts[0] = "web_example" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.tls[0].hosts[0]"}}},
		{"class annotation and field", func(i *networkingv1.Ingress) { i.Annotations = map[string]string{ingressClassAnnotation: "nginx"} },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "metadata.annotations[kubernetes.io/ingress.class]"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i := newIngress()
			tt.mutate(i)
			registrytest.CheckErrors(t, registrytest.Create(ingressStrategy{}, i), tt.want...)
		})
	}
}

func TestIngressStatus(t *testing.T) {
	old := newIngress()
	registrytest.Create(ingressStrategy{}, old)
	i := old.DeepCopy()
	i.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: "192.0.2.10"}, {Hostname: "lb.example.com"}}
	i.Spec.Rules = nil // dropped by the status split
	ingressStrategy{}.PrepareForStatusUpdate(context.Background(), i, old)
	if len(i.Spec.Rules) != 1 {
		t.Errorf("spec changed through /status")
	}
	registrytest.CheckErrors(t, ingressStrategy{}.ValidateStatusUpdate(context.Background(), i, old))
	i.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: "not-an-ip"}, {Hostname: "10.0.0.1"}}
	registrytest.CheckErrors(t, ingressStrategy{}.ValidateStatusUpdate(context.Background(), i, old),
		registrytest.WantErr{Type: field.ErrorTypeInvalid, Field: "status.loadBalancer.ingress[0].ip"}, registrytest.WantErr{Type: field.ErrorTypeInvalid, Field: "status.loadBalancer.ingress[1].hostname"})
}

func TestIngressTable(t *testing.T) {
	want := []string{"Class", "Hosts", "Address", "Ports", "Age"}
	if got := registrytest.ColumnNames(ingressStrategy{}); !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v", got)
	}
	i := newIngress()
	i.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: "192.0.2.10"}, {Hostname: "lb.example.com"}, {IP: "192.0.2.10"}}
	registrytest.CheckTable(t, ingressStrategy{}, i, []interface{}{"nginx", "web.example.com", "192.0.2.10,lb.example.com", "80, 443", ""})
	i.Spec.IngressClassName, i.Spec.TLS, i.Status = nil, nil, networkingv1.IngressStatus{}
	i.Spec.Rules = append(i.Spec.Rules, networkingv1.IngressRule{Host: "b.example.com"}, networkingv1.IngressRule{Host: "c.example.com"}, networkingv1.IngressRule{Host: "d.example.com"})
	registrytest.CheckTable(t, ingressStrategy{}, i, []interface{}{"<none>", "web.example.com,b.example.com,c.example.com + 1 more...", "", "80", ""})
	i.Spec.Rules = []networkingv1.IngressRule{{}}
	registrytest.CheckTable(t, ingressStrategy{}, i, []interface{}{"<none>", "*", "", "80", ""})
}

func TestIngressClass(t *testing.T) {
	newClass := func() *networkingv1.IngressClass {
		return &networkingv1.IngressClass{
			ObjectMeta: metaCluster("nginx"),
			Spec: networkingv1.IngressClassSpec{
				Controller: "k8s.io/ingress-nginx",
				Parameters: &networkingv1.IngressClassParametersReference{APIGroup: ptr("k8s.example.com"), Kind: "IngressParameters", Name: "external-lb"},
			},
		}
	}
	c := newClass()
	if errs := registrytest.Create(ingressClassStrategy{}, c); len(errs) != 0 {
		t.Fatal(errs)
	}
	if *c.Spec.Parameters.Scope != "Cluster" {
		t.Errorf("scope = %v", *c.Spec.Parameters.Scope)
	}
	tests := []struct {
		name   string
		mutate func(*networkingv1.IngressClass)
		want   []registrytest.WantErr
	}{
		{"no parameters", func(c *networkingv1.IngressClass) { c.Spec.Parameters = nil }, nil},
		{"namespaced", func(c *networkingv1.IngressClass) {
			c.Spec.Parameters.Scope, c.Spec.Parameters.Namespace = ptr("Namespace"), ptr("ingress")
		}, nil},
		{"bad controller", func(c *networkingv1.IngressClass) { c.Spec.Controller = "nginx" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.controller"}}},
		{"namespace scope without namespace", func(c *networkingv1.IngressClass) { c.Spec.Parameters.Scope = ptr("Namespace") },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.parameters.namespace"}}},
		{"cluster scope with namespace", func(c *networkingv1.IngressClass) { c.Spec.Parameters.Namespace = ptr("x") },
			[]registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "spec.parameters.namespace"}}},
		{"bad scope", func(c *networkingv1.IngressClass) { c.Spec.Parameters.Scope = ptr("Global") },
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.parameters.scope"}}},
		{"no kind", func(c *networkingv1.IngressClass) { c.Spec.Parameters.Kind = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.parameters.kind"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClass()
			tt.mutate(c)
			registrytest.CheckErrors(t, registrytest.Create(ingressClassStrategy{}, c), tt.want...)
		})
	}
	old := newClass()
	registrytest.Create(ingressClassStrategy{}, old)
	nc := old.DeepCopy()
	nc.Spec.Controller = "example.com/other"
	registrytest.CheckErrors(t, registrytest.Update(ingressClassStrategy{}, nc, old), registrytest.WantErr{Type: field.ErrorTypeInvalid, Field: "spec.controller"})

	if got := registrytest.ColumnNames(ingressClassStrategy{}); !reflect.DeepEqual(got, []string{"Controller", "Parameters", "Age"}) {
		t.Errorf("columns = %v", got)
	}
	registrytest.CheckTable(t, ingressClassStrategy{}, old, []interface{}{"k8s.io/ingress-nginx", "IngressParameters.k8s.example.com/external-lb", ""})
	old.Spec.Parameters = nil
	registrytest.CheckTable(t, ingressClassStrategy{}, old, []interface{}{"k8s.io/ingress-nginx", "<none>", ""})
}
