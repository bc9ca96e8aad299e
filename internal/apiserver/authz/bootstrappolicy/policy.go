package bootstrappolicy

import (
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/authz/rbac"
)

// Policy is a set of RBAC objects. Default returns the bootstrap policy;
// Reconcile takes what the cluster holds in the same shape.
type Policy struct {
	ClusterRoles        []*rbacv1.ClusterRole
	ClusterRoleBindings []*rbacv1.ClusterRoleBinding
	Roles               []*rbacv1.Role
	RoleBindings        []*rbacv1.RoleBinding
}

// Default returns a fresh copy of the bootstrap policy; callers may modify it.
func Default() Policy {
	roles := append(componentClusterRoles(), controllerRoles()...)
	rbac.AggregateAll(roles)
	return Policy{
		ClusterRoles:        roles,
		ClusterRoleBindings: append(componentClusterRoleBindings(), controllerRoleBindings()...),
		Roles:               namespaceRoles(),
		RoleBindings:        namespaceRoleBindings(),
	}
}

// ClusterRoles is Default().ClusterRoles.
func ClusterRoles() []*rbacv1.ClusterRole { return Default().ClusterRoles }

// ClusterRoleBindings is Default().ClusterRoleBindings.
func ClusterRoleBindings() []*rbacv1.ClusterRoleBinding { return Default().ClusterRoleBindings }
