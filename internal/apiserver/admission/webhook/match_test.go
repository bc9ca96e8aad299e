package webhook

import (
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

func TestRuleMatches(t *testing.T) {
	rule := func(ops []admissionregistrationv1.OperationType, groups, versions, resources []string, scope admissionregistrationv1.ScopeType) admissionregistrationv1.RuleWithOperations {
		r := admissionregistrationv1.RuleWithOperations{
			Operations: ops,
			Rule:       admissionregistrationv1.Rule{APIGroups: groups, APIVersions: versions, Resources: resources},
		}
		if scope != "" {
			r.Scope = &scope
		}
		return r
	}
	all := []admissionregistrationv1.OperationType{admissionregistrationv1.OperationAll}
	create := []admissionregistrationv1.OperationType{admissionregistrationv1.Create}
	core := []string{""}
	v1 := []string{"v1"}
	star := []string{"*"}
	attrs := func(op admission.Operation, gvr schema.GroupVersionResource, sub, ns string) *admission.Attributes {
		return &admission.Attributes{Operation: op, Resource: gvr, Subresource: sub, Namespace: ns}
	}
	pods := corev1.SchemeGroupVersion.WithResource("pods")
	nodes := corev1.SchemeGroupVersion.WithResource("nodes")
	nsRes := corev1.SchemeGroupVersion.WithResource("namespaces")
	deploys := appsv1.SchemeGroupVersion.WithResource("deployments")

	tests := []struct {
		name  string
		rule  admissionregistrationv1.RuleWithOperations
		attrs *admission.Attributes
		want  bool
	}{
		{"exact", rule(create, core, v1, []string{"pods"}, ""), attrs(admission.Create, pods, "", "ns"), true},
		{"other operation", rule(create, core, v1, []string{"pods"}, ""), attrs(admission.Update, pods, "", "ns"), false},
		{"any operation", rule(all, core, v1, []string{"pods"}, ""), attrs(admission.Delete, pods, "", "ns"), true},
		{"connect", rule([]admissionregistrationv1.OperationType{admissionregistrationv1.Connect}, core, v1, []string{"pods/exec"}, ""),
			attrs(admission.Connect, pods, "exec", "ns"), true},
		{"other group", rule(all, []string{"apps"}, v1, []string{"pods"}, ""), attrs(admission.Create, pods, "", "ns"), false},
		{"any group", rule(all, star, v1, []string{"deployments"}, ""), attrs(admission.Create, deploys, "", "ns"), true},
		{"other version", rule(all, core, []string{"v2"}, []string{"pods"}, ""), attrs(admission.Create, pods, "", "ns"), false},
		{"any version", rule(all, core, star, []string{"pods"}, ""), attrs(admission.Create, pods, "", "ns"), true},
		{"other resource", rule(all, core, v1, []string{"services"}, ""), attrs(admission.Create, pods, "", "ns"), false},
		{"subresource not in plain rule", rule(all, core, v1, []string{"pods"}, ""), attrs(admission.Update, pods, "status", "ns"), false},
		{"subresource named", rule(all, core, v1, []string{"pods/status"}, ""), attrs(admission.Update, pods, "status", "ns"), true},
		{"subresource rule, main resource", rule(all, core, v1, []string{"pods/status"}, ""), attrs(admission.Update, pods, "", "ns"), false},
		{"resource/*: main", rule(all, core, v1, []string{"pods/*"}, ""), attrs(admission.Update, pods, "", "ns"), true},
		{"resource/*: sub", rule(all, core, v1, []string{"pods/*"}, ""), attrs(admission.Update, pods, "binding", "ns"), true},
		{"*: main", rule(all, star, star, star, ""), attrs(admission.Create, deploys, "", "ns"), true},
		{"*: not subresources", rule(all, star, star, star, ""), attrs(admission.Update, deploys, "scale", "ns"), false},
		{"*/status", rule(all, star, star, []string{"*/status"}, ""), attrs(admission.Update, deploys, "status", "ns"), true},
		{"*/*", rule(all, star, star, []string{"*/*"}, ""), attrs(admission.Update, deploys, "scale", "ns"), true},
		{"namespaced scope, namespaced", rule(all, star, star, star, admissionregistrationv1.NamespacedScope), attrs(admission.Create, pods, "", "ns"), true},
		{"namespaced scope, cluster", rule(all, star, star, star, admissionregistrationv1.NamespacedScope), attrs(admission.Create, nodes, "", ""), false},
		{"cluster scope, cluster", rule(all, star, star, star, admissionregistrationv1.ClusterScope), attrs(admission.Create, nodes, "", ""), true},
		{"cluster scope, namespaced", rule(all, star, star, star, admissionregistrationv1.ClusterScope), attrs(admission.Create, pods, "", "ns"), false},
		// A namespace is cluster-scoped even when its name is set as the
		// request's namespace.
		{"cluster scope, namespace object", rule(all, star, star, star, admissionregistrationv1.ClusterScope), attrs(admission.Update, nsRes, "", "ns"), true},
		{"namespaced scope, namespace object", rule(all, star, star, star, admissionregistrationv1.NamespacedScope), attrs(admission.Update, nsRes, "", "ns"), false},
		{"all scopes", rule(all, star, star, star, admissionregistrationv1.AllScopes), attrs(admission.Create, nodes, "", ""), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ruleMatches(&tt.rule, tt.attrs); got != tt.want {
				t.Errorf("ruleMatches = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestExempt(t *testing.T) {
	tests := []struct {
		gvr  schema.GroupVersionResource
		want bool
	}{
		{admissionregistrationv1.SchemeGroupVersion.WithResource("validatingwebhookconfigurations"), true},
		{admissionregistrationv1.SchemeGroupVersion.WithResource("mutatingwebhookconfigurations"), true},
		{admissionregistrationv1.SchemeGroupVersion.WithResource("validatingadmissionpolicies"), true},
		{corev1.SchemeGroupVersion.WithResource("pods"), false},
		{schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "validatingwebhookconfigurations"}, false},
	}
	for _, tt := range tests {
		if got := exempt(&admission.Attributes{Resource: tt.gvr}); got != tt.want {
			t.Errorf("exempt(%v) = %v", tt.gvr, got)
		}
	}
}
