package rbac

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/authz"
)

func res(verb, group, resource, sub, name string) authz.Attributes {
	return authz.Attributes{ResourceRequest: true, Verb: verb, APIGroup: group, Resource: resource, Subresource: sub, Name: name}
}

func url(verb, path string) authz.Attributes {
	return authz.Attributes{Verb: verb, Path: path}
}

func TestRuleAllows(t *testing.T) {
	rule := func(verbs, groups, resources, names []string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: verbs, APIGroups: groups, Resources: resources, ResourceNames: names}
	}
	urls := func(verbs []string, u ...string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: verbs, NonResourceURLs: u}
	}
	s := func(v ...string) []string { return v }

	tests := []struct {
		name string
		rule rbacv1.PolicyRule
		attr authz.Attributes
		want bool
	}{
		{"exact", rule(s("get"), s(""), s("pods"), nil), res("get", "", "pods", "", "p"), true},
		{"other verb", rule(s("get"), s(""), s("pods"), nil), res("delete", "", "pods", "", "p"), false},
		{"verb star", rule(s("*"), s(""), s("pods"), nil), res("delete", "", "pods", "", "p"), true},
		{"other group", rule(s("get"), s("apps"), s("pods"), nil), res("get", "", "pods", "", ""), false},
		{"group star", rule(s("get"), s("*"), s("deployments"), nil), res("get", "apps", "deployments", "", ""), true},
		{"resource star", rule(s("get"), s(""), s("*"), nil), res("get", "", "secrets", "", ""), true},
		{"resource star covers subresource", rule(s("get"), s(""), s("*"), nil), res("get", "", "pods", "log", ""), true},
		{"resource does not cover subresource", rule(s("get"), s(""), s("pods"), nil), res("get", "", "pods", "log", ""), false},
		{"resource/subresource", rule(s("get"), s(""), s("pods/log"), nil), res("get", "", "pods", "log", ""), true},
		{"resource/subresource not parent", rule(s("get"), s(""), s("pods/log"), nil), res("get", "", "pods", "", ""), false},
		{"resource/subresource other sub", rule(s("get"), s(""), s("pods/log"), nil), res("get", "", "pods", "exec", ""), false},
		{"resource/subresource other resource", rule(s("get"), s(""), s("pods/log"), nil), res("get", "", "nodes", "log", ""), false},
		{"prefix is not a match", rule(s("get"), s(""), s("pods/logs"), nil), res("get", "", "pods", "log", ""), false},
		{"star subresource", rule(s("get"), s("*"), s("*/scale"), nil), res("get", "apps", "deployments", "scale", ""), true},
		{"star subresource other", rule(s("get"), s("*"), s("*/scale"), nil), res("get", "apps", "deployments", "status", ""), false},
		{"star subresource not parent", rule(s("get"), s("*"), s("*/scale"), nil), res("get", "apps", "deployments", "", ""), false},
		{"name listed", rule(s("get"), s(""), s("secrets"), s("a", "b")), res("get", "", "secrets", "", "b"), true},
		{"name not listed", rule(s("get"), s(""), s("secrets"), s("a")), res("get", "", "secrets", "", "c"), false},
		{"names need a name", rule(s("list"), s(""), s("secrets"), s("a")), res("list", "", "secrets", "", ""), false},
		{"resource rule vs url", rule(s("get"), s("*"), s("*"), nil), url("get", "/healthz"), false},
		{"url exact", urls(s("get"), "/healthz"), url("get", "/healthz"), true},
		{"url exact not prefix", urls(s("get"), "/healthz"), url("get", "/healthz/etcd"), false},
		{"url star", urls(s("get"), "*"), url("get", "/anything"), true},
		{"url trailing star", urls(s("get"), "/apis/*"), url("get", "/apis/apps/v1"), true},
		{"url trailing star is a plain prefix", urls(s("get"), "/api*"), url("get", "/apis"), true},
		{"url trailing star other", urls(s("get"), "/apis/*"), url("get", "/api"), false},
		{"url verb", urls(s("get"), "/metrics"), url("post", "/metrics"), false},
		{"url rule vs resource", urls(s("*"), "*"), res("get", "", "pods", "", ""), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := RuleAllows(tc.attr, &tc.rule); got != tc.want {
				t.Errorf("RuleAllows = %v, want %v", got, tc.want)
			}
			if got := RulesAllow(tc.attr, rbacv1.PolicyRule{}, tc.rule); got != tc.want {
				t.Errorf("RulesAllow = %v, want %v", got, tc.want)
			}
		})
	}
}
