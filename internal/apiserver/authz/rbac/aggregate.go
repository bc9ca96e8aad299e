package rbac

import (
	"cmp"
	"slices"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Aggregate computes the rules of a ClusterRole with an aggregationRule, as
// upstream's clusterrole-aggregation controller does: for each selector in
// order, the rules of every other ClusterRole whose labels match it (roles
// sorted by name), each distinct rule once. changed reports whether the
// result differs from target.Rules, i.e. whether the controller must write.
//
// A target without an aggregationRule is returned as it is, unchanged.
// Selectors that do not parse select nothing: the API rejects them on
// write, so they only reach here from objects stored before validation.
// Aggregated roles can aggregate other aggregated roles (admin <- edit <-
// view); the controller reaches the fixed point by re-running Aggregate when
// a role it read changes, and AggregateAll does the same in one call.
func Aggregate(target *rbacv1.ClusterRole, all []*rbacv1.ClusterRole) (rules []rbacv1.PolicyRule, changed bool) {
	if target.AggregationRule == nil {
		return target.Rules, false
	}
	sorted := slices.Clone(all)
	slices.SortFunc(sorted, func(a, b *rbacv1.ClusterRole) int { return cmp.Compare(a.Name, b.Name) })

	rules = []rbacv1.PolicyRule{}
	for i := range target.AggregationRule.ClusterRoleSelectors {
		sel, err := metav1.LabelSelectorAsSelector(&target.AggregationRule.ClusterRoleSelectors[i])
		if err != nil {
			continue
		}
		for _, cr := range sorted {
			if cr == nil || cr.Name == target.Name || !sel.Matches(labels.Set(cr.Labels)) {
				continue
			}
			for _, r := range cr.Rules {
				if !containsRule(rules, r) {
					rules = append(rules, r)
				}
			}
		}
	}
	// Semantic equality treats nil and empty lists alike, as the controller
	// does, so a role with no matches and nil rules is not rewritten.
	return rules, !equality.Semantic.DeepEqual(rules, target.Rules)
}

// AggregateAll fills the rules of every aggregated role in roles, in place,
// repeating until nothing changes so nested aggregation settles. It is what
// the controller converges to when only these roles exist; bootstrap uses
// it so that admin, edit and view work before the controller first runs.
func AggregateAll(roles []*rbacv1.ClusterRole) {
	// Each pass settles at least one more level of nesting; more passes
	// than roles would mean a cycle, which can only oscillate.
	for pass := 0; pass <= len(roles); pass++ {
		changedAny := false
		for _, r := range roles {
			if rules, changed := Aggregate(r, roles); changed {
				r.Rules = rules
				changedAny = true
			}
		}
		if !changedAny {
			return
		}
	}
}

func containsRule(rules []rbacv1.PolicyRule, r rbacv1.PolicyRule) bool {
	for i := range rules {
		if equality.Semantic.DeepEqual(rules[i], r) {
			return true
		}
	}
	return false
}
