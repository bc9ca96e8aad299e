package rbac

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
)

func TestUncovered(t *testing.T) {
	rule := func(verbs, groups, resources []string, names ...string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: verbs, APIGroups: groups, Resources: resources, ResourceNames: names}
	}
	s := func(v ...string) []string { return v }
	url := func(verb, u string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: s(verb), NonResourceURLs: s(u)}
	}
	tests := []struct {
		name    string
		owner   []rbacv1.PolicyRule
		servant rbacv1.PolicyRule
		missing int
	}{
		{"exact", []rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"))}, rule(s("get"), s(""), s("pods")), 0},
		{"owner wildcard verbs", []rbacv1.PolicyRule{rule(s("*"), s(""), s("pods"))}, rule(s("get", "delete"), s(""), s("pods")), 0},
		{"one verb short", []rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"))}, rule(s("get", "delete"), s(""), s("pods")), 1},
		{"servant wildcard needs wildcard", []rbacv1.PolicyRule{rule(s("get", "list"), s(""), s("pods"))}, rule(s("*"), s(""), s("pods")), 1},
		{"subresource by pods/*", []rbacv1.PolicyRule{rule(s("get"), s(""), s("pods/*"))}, rule(s("get"), s(""), s("pods/log")), 0},
		{"subresource by */scale", []rbacv1.PolicyRule{rule(s("get"), s("apps"), s("*/scale"))}, rule(s("get"), s("apps"), s("deployments/scale")), 0},
		{"subresource not by parent", []rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"))}, rule(s("get"), s(""), s("pods/log")), 1},
		{"names within all", []rbacv1.PolicyRule{rule(s("get"), s(""), s("secrets"))}, rule(s("get"), s(""), s("secrets"), "a", "b"), 0},
		{"names within names", []rbacv1.PolicyRule{rule(s("get"), s(""), s("secrets"), "a")}, rule(s("get"), s(""), s("secrets"), "a", "b"), 1},
		{"all not within names", []rbacv1.PolicyRule{rule(s("get"), s(""), s("secrets"), "a")}, rule(s("get"), s(""), s("secrets")), 1},
		{"other group", []rbacv1.PolicyRule{rule(s("get"), s(""), s("deployments"))}, rule(s("get"), s("apps"), s("deployments")), 1},
		{"split across owner rules", []rbacv1.PolicyRule{rule(s("get"), s(""), s("pods")), rule(s("list"), s(""), s("pods"))}, rule(s("get", "list"), s(""), s("pods")), 0},
		{"url prefix", []rbacv1.PolicyRule{url("get", "/healthz*")}, url("get", "/healthz/etcd"), 0},
		{"url missing", []rbacv1.PolicyRule{url("get", "/healthz")}, url("get", "/metrics"), 1},
		{"url is not a resource", []rbacv1.PolicyRule{rule(s("*"), s("*"), s("*"))}, url("get", "/metrics"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Uncovered(tt.owner, tt.servant); len(got) != tt.missing {
				t.Fatalf("missing %v, want %d", got, tt.missing)
			}
		})
	}
}
