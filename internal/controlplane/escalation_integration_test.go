package controlplane_test

import (
	"fmt"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/testserver"
)

// TestRBACEscalation: a namespace admin may write roles and bindings that
// grant what they hold, and is refused (403, naming what they lack) for
// anything more, as upstream.
func TestRBACEscalation(t *testing.T) {
	s := server(t)
	ns := s.CreateNamespace(t)
	ctx := ctxFor(t)
	bindClusterRole(t, s.Client(), ns, "ns-admin", "admin")
	alice := s.ClientFor(t, "ns-admin", "team")
	eventually(t, "admin reaches roles", func() error {
		_, err := alice.RbacV1().Roles(ns).List(ctx, metav1.ListOptions{})
		return err
	})

	role := func(name string, rules ...rbacv1.PolicyRule) *rbacv1.Role {
		return &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}
	}
	binding := func(name, kind, ref string) *rbacv1.RoleBinding {
		return &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: kind, Name: ref},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "bob"}}}
	}
	tests := []struct {
		name    string
		call    func() error
		wantMsg string // "": allowed
	}{
		{"role within what admin holds", func() error {
			_, err := alice.RbacV1().Roles(ns).Create(ctx, role("pod-reader",
				rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods", "pods/log"}, Verbs: []string{"get", "list"}}), metav1.CreateOptions{})
			return err
		}, ""},
		{"role granting nodes", func() error {
			_, err := alice.RbacV1().Roles(ns).Create(ctx, role("node-reader",
				rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"get"}}), metav1.CreateOptions{})
			return err
		}, `roles.rbac.authorization.k8s.io "node-reader" is forbidden: user "ns-admin" (groups=["team" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:` +
			"\n" + `{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}`},
		{"role granting a wildcard", func() error {
			_, err := alice.RbacV1().Roles(ns).Create(ctx, role("everything",
				rbacv1.PolicyRule{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}}), metav1.CreateOptions{})
			return err
		}, "is attempting to grant RBAC permissions not currently held"},
		{"binding to view", func() error {
			_, err := alice.RbacV1().RoleBindings(ns).Create(ctx, binding("bob-view", "ClusterRole", "view"), metav1.CreateOptions{})
			return err
		}, ""},
		{"binding to cluster-admin", func() error {
			_, err := alice.RbacV1().RoleBindings(ns).Create(ctx, binding("bob-root", "ClusterRole", "cluster-admin"), metav1.CreateOptions{})
			return err
		}, `rolebindings.rbac.authorization.k8s.io "bob-root" is forbidden: user "ns-admin" (groups=["team" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:`},
		{"binding to a missing role", func() error {
			_, err := alice.RbacV1().RoleBindings(ns).Create(ctx, binding("bob-ghost", "Role", "ghost"), metav1.CreateOptions{})
			return err
		}, `rolebindings.rbac.authorization.k8s.io "bob-ghost" is forbidden`},
		{"cluster admin binds anything", func() error {
			_, err := s.Client().RbacV1().RoleBindings(ns).Create(ctx, binding("bob-root-by-admin", "ClusterRole", "cluster-admin"), metav1.CreateOptions{})
			return err
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("got %v, want 403 containing %q", err, tt.wantMsg)
			}
		})
	}

	// "bind" on a role lets one bind it without holding it, as upstream.
	bindClusterRoleRules(t, s, ns, "binder", rbacv1.PolicyRule{APIGroups: []string{rbacv1.GroupName},
		Resources: []string{"clusterroles"}, Verbs: []string{"bind"}, ResourceNames: []string{"cluster-admin"}},
		rbacv1.PolicyRule{APIGroups: []string{rbacv1.GroupName}, Resources: []string{"rolebindings"}, Verbs: []string{"create"}})
	binder := s.ClientFor(t, "binder")
	eventually(t, "binder binds cluster-admin", func() error {
		_, err := binder.RbacV1().RoleBindings(ns).Create(ctx, binding("bob-root-by-binder", "ClusterRole", "cluster-admin"), metav1.CreateOptions{})
		return err
	})
}

// bindClusterRoleRules gives user rules in ns through a fresh ClusterRole
// and a RoleBinding, written by the admin.
func bindClusterRoleRules(t *testing.T, s *testserver.Server, ns, user string, rules ...rbacv1.PolicyRule) {
	t.Helper()
	ctx := ctxFor(t)
	name := fmt.Sprintf("%s-%s", ns, user)
	if _, err := s.Client().RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	bindClusterRole(t, s.Client(), ns, user, name)
}
