package bootstrappolicy

import (
	rbacv1 "k8s.io/api/rbac/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Reconcile runs upstream's comparison (rule coverage, subject diffs) on
// every object, which costs tens of milliseconds for the whole policy: too
// much for a restart, where nothing has usually changed. The checks below
// recognise an object that already holds exactly what the policy wants -
// the same rules (or aggregation rule), role reference and subjects, and
// every label and annotation key the policy sets - for which upstream's
// comparison finds nothing to do, so Reconcile skips it. Anything else,
// however small the difference, still goes through upstream's comparison.

func clusterRoleUpToDate(have, want *rbacv1.ClusterRole) bool {
	return metaUpToDate(&have.ObjectMeta, &want.ObjectMeta) &&
		apiequality.Semantic.DeepEqual(have.Rules, want.Rules) &&
		apiequality.Semantic.DeepEqual(have.AggregationRule, want.AggregationRule)
}

func roleUpToDate(have, want *rbacv1.Role) bool {
	return metaUpToDate(&have.ObjectMeta, &want.ObjectMeta) && apiequality.Semantic.DeepEqual(have.Rules, want.Rules)
}

func clusterRoleBindingUpToDate(have, want *rbacv1.ClusterRoleBinding) bool {
	return metaUpToDate(&have.ObjectMeta, &want.ObjectMeta) && have.RoleRef == want.RoleRef &&
		apiequality.Semantic.DeepEqual(have.Subjects, want.Subjects)
}

func roleBindingUpToDate(have, want *rbacv1.RoleBinding) bool {
	return metaUpToDate(&have.ObjectMeta, &want.ObjectMeta) && have.RoleRef == want.RoleRef &&
		apiequality.Semantic.DeepEqual(have.Subjects, want.Subjects)
}

// metaUpToDate: reconciliation only adds the policy's label and annotation
// keys that are missing (an object's own values win), so present keys are
// all it needs.
func metaUpToDate(have, want *metav1.ObjectMeta) bool {
	return hasKeys(have.Labels, want.Labels) && hasKeys(have.Annotations, want.Annotations)
}

func hasKeys(have, want map[string]string) bool {
	for k := range want {
		if _, ok := have[k]; !ok {
			return false
		}
	}
	return true
}
