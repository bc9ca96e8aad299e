package rbac

import (
	"reflect"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func labeled(r *rbacv1.ClusterRole, kv ...string) *rbacv1.ClusterRole {
	r.Labels = map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		r.Labels[kv[i]] = kv[i+1]
	}
	return r
}

func aggregated(name string, rules []rbacv1.PolicyRule, selectors ...metav1.LabelSelector) *rbacv1.ClusterRole {
	r := clusterRole(name, rules...)
	r.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: selectors}
	return r
}

func matchLabels(kv ...string) metav1.LabelSelector {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return metav1.LabelSelector{MatchLabels: m}
}

func TestAggregate(t *testing.T) {
	pods := rule(l("get"), l(""), l("pods"))
	svcs := rule(l("get"), l(""), l("services"))
	nodes := rule(l("list"), l(""), l("nodes"))
	b := labeled(clusterRole("b", svcs, pods), "agg", "x")
	a := labeled(clusterRole("a", pods), "agg", "x")
	c := labeled(clusterRole("c", nodes), "other", "y")
	bad := metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "k", Operator: "Bogus"}}}

	tests := []struct {
		name        string
		target      *rbacv1.ClusterRole
		all         []*rbacv1.ClusterRole
		wantRules   []rbacv1.PolicyRule
		wantChanged bool
	}{
		{"not aggregated", clusterRole("t", nodes), []*rbacv1.ClusterRole{a}, []rbacv1.PolicyRule{nodes}, false},
		{"by name order, each rule once", aggregated("t", nil, matchLabels("agg", "x")), []*rbacv1.ClusterRole{b, c, a},
			[]rbacv1.PolicyRule{pods, svcs}, true},
		{"selectors in order", aggregated("t", nil, matchLabels("other", "y"), matchLabels("agg", "x")), []*rbacv1.ClusterRole{a, b, c},
			[]rbacv1.PolicyRule{nodes, pods, svcs}, true},
		{"already up to date", aggregated("t", []rbacv1.PolicyRule{pods, svcs}, matchLabels("agg", "x")), []*rbacv1.ClusterRole{a, b},
			[]rbacv1.PolicyRule{pods, svcs}, false},
		{"stale rules are replaced", aggregated("t", []rbacv1.PolicyRule{nodes}, matchLabels("agg", "x")), []*rbacv1.ClusterRole{a},
			[]rbacv1.PolicyRule{pods}, true},
		{"nothing matches, nil rules: unchanged", aggregated("t", nil, matchLabels("none", "z")), []*rbacv1.ClusterRole{a},
			[]rbacv1.PolicyRule{}, false},
		{"invalid selector selects nothing", aggregated("t", nil, bad, matchLabels("agg", "x")), []*rbacv1.ClusterRole{a},
			[]rbacv1.PolicyRule{pods}, true},
		{"never aggregates itself", labeled(aggregated("t", nil, matchLabels("agg", "x")), "agg", "x"), nil,
			[]rbacv1.PolicyRule{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			all := append([]*rbacv1.ClusterRole{tc.target}, tc.all...)
			rules, changed := Aggregate(tc.target, all)
			if changed != tc.wantChanged || !reflect.DeepEqual(rules, tc.wantRules) {
				t.Errorf("got %v %v, want %v %v", rules, changed, tc.wantRules, tc.wantChanged)
			}
		})
	}
}

func TestAggregateAllNested(t *testing.T) {
	read := rule(l("get"), l(""), l("pods"))
	write := rule(l("create"), l(""), l("pods"))
	grant := rule(l("create"), l("rbac.authorization.k8s.io"), l("rolebindings"))
	roles := []*rbacv1.ClusterRole{
		aggregated("admin", nil, matchLabels("to-admin", "true")),
		labeled(aggregated("edit", nil, matchLabels("to-edit", "true")), "to-admin", "true"),
		labeled(aggregated("view", nil, matchLabels("to-view", "true")), "to-edit", "true"),
		labeled(clusterRole("agg-admin", grant), "to-admin", "true"),
		labeled(clusterRole("agg-edit", write), "to-edit", "true"),
		labeled(clusterRole("agg-view", read), "to-view", "true"),
	}
	AggregateAll(roles)
	want := map[string][]rbacv1.PolicyRule{
		"view":  {read},
		"edit":  {write, read},
		"admin": {grant, write, read},
	}
	for _, r := range roles[:3] {
		if !reflect.DeepEqual(r.Rules, want[r.Name]) {
			t.Errorf("%s: %v, want %v", r.Name, r.Rules, want[r.Name])
		}
	}
}
