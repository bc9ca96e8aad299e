package bootstrappolicy

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/component-helpers/auth/rbac/reconciliation"
)

// TestUpToDateAgreesWithUpstream: whatever the fast path calls up to date,
// upstream's comparison finds nothing to write either; it may only send
// more objects to the slow path, never fewer.
func TestUpToDateAgreesWithUpstream(t *testing.T) {
	want := Default()
	role := func() *rbacv1.ClusterRole {
		for _, r := range want.ClusterRoles {
			if r.Name == "system:basic-user" {
				return r.DeepCopy()
			}
		}
		t.Fatal("no system:basic-user")
		return nil
	}
	binding := func() *rbacv1.ClusterRoleBinding {
		for _, b := range want.ClusterRoleBindings {
			if b.Name == "system:public-info-viewer" {
				return b.DeepCopy()
			}
		}
		t.Fatal("no system:public-info-viewer binding")
		return nil
	}
	roleCases := []struct {
		name   string
		mutate func(*rbacv1.ClusterRole)
		want   bool
	}{
		{"identical", func(*rbacv1.ClusterRole) {}, true},
		{"user's extra label", func(r *rbacv1.ClusterRole) { r.Labels["team"] = "a" }, true},
		{"user's own value for a policy label", func(r *rbacv1.ClusterRole) { r.Labels[BootstrapLabelKey] = "mine" }, true},
		{"policy label removed", func(r *rbacv1.ClusterRole) { delete(r.Labels, BootstrapLabelKey) }, false},
		{"a rule removed", func(r *rbacv1.ClusterRole) { r.Rules = r.Rules[1:] }, false},
		{"a rule added", func(r *rbacv1.ClusterRole) {
			r.Rules = append(r.Rules, rbacv1.PolicyRule{Verbs: []string{"get"}, Resources: []string{"pods"}, APIGroups: []string{""}})
		}, false},
	}
	for _, tt := range roleCases {
		t.Run("clusterrole/"+tt.name, func(t *testing.T) {
			w, have := role(), role()
			tt.mutate(have)
			if got := clusterRoleUpToDate(have, w); got != tt.want {
				t.Fatalf("upToDate=%v, want %v", got, tt.want)
			}
			var p Plan
			err := p.role(reconciliation.ClusterRoleRuleOwner{ClusterRole: w}, "clusterrole", func(string, string) (reconciliation.RuleOwner, bool) {
				return reconciliation.ClusterRoleRuleOwner{ClusterRole: have.DeepCopy()}, true
			})
			if err != nil {
				t.Fatal(err)
			}
			if tt.want && len(p.Changes) > 0 {
				t.Fatalf("called up to date, but upstream writes %v", p.Changes)
			}
		})
	}
	bindingCases := []struct {
		name   string
		mutate func(*rbacv1.ClusterRoleBinding)
		want   bool
	}{
		{"identical", func(*rbacv1.ClusterRoleBinding) {}, true},
		{"user's extra annotation", func(b *rbacv1.ClusterRoleBinding) { b.Annotations["note"] = "x" }, true},
		{"a subject removed", func(b *rbacv1.ClusterRoleBinding) { b.Subjects = b.Subjects[1:] }, false},
		{"a subject added", func(b *rbacv1.ClusterRoleBinding) {
			b.Subjects = append(b.Subjects, rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "x"})
		}, false},
		{"another role", func(b *rbacv1.ClusterRoleBinding) { b.RoleRef.Name = "view" }, false},
	}
	for _, tt := range bindingCases {
		t.Run("clusterrolebinding/"+tt.name, func(t *testing.T) {
			w, have := binding(), binding()
			tt.mutate(have)
			if got := clusterRoleBindingUpToDate(have, w); got != tt.want {
				t.Fatalf("upToDate=%v, want %v", got, tt.want)
			}
			var p Plan
			err := p.binding(reconciliation.ClusterRoleBindingAdapter{ClusterRoleBinding: w}, "clusterrolebinding", func(string, string) (reconciliation.RoleBinding, bool) {
				return reconciliation.ClusterRoleBindingAdapter{ClusterRoleBinding: have.DeepCopy()}, true
			})
			if err != nil {
				t.Fatal(err)
			}
			if tt.want && len(p.Changes) > 0 {
				t.Fatalf("called up to date, but upstream writes %v", p.Changes)
			}
		})
	}
}

// BenchmarkReconcileUnchanged is a restart: the cluster holds the policy.
func BenchmarkReconcileUnchanged(b *testing.B) {
	have, want := Default(), Default()
	for i := 0; i < b.N; i++ {
		if p, err := Reconcile(have, want); err != nil || len(p.Changes) > 0 {
			b.Fatal(p, err)
		}
	}
}
