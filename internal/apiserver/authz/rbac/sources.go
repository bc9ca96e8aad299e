package rbac

import (
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/labels"
	rbaclisters "k8s.io/client-go/listers/rbac/v1"
)

// RoleGetter finds namespaced Roles. client-go's rbaclisters.RoleLister
// satisfies it as it is.
type RoleGetter interface {
	Roles(namespace string) rbaclisters.RoleNamespaceLister
}

// RoleBindingLister lists the RoleBindings of all namespaces (the index is
// built from all of them at once). rbaclisters.RoleBindingLister satisfies it.
type RoleBindingLister interface {
	List(selector labels.Selector) ([]*rbacv1.RoleBinding, error)
}

// ClusterRoleGetter finds ClusterRoles. rbaclisters.ClusterRoleLister
// satisfies it.
type ClusterRoleGetter interface {
	Get(name string) (*rbacv1.ClusterRole, error)
}

// ClusterRoleBindingLister lists ClusterRoleBindings.
// rbaclisters.ClusterRoleBindingLister satisfies it.
type ClusterRoleBindingLister interface {
	List(selector labels.Selector) ([]*rbacv1.ClusterRoleBinding, error)
}

// The client-go listers are the intended implementations: keep them
// assignable so informer wiring stays a one-liner.
var (
	_ RoleGetter               = rbaclisters.RoleLister(nil)
	_ RoleBindingLister        = rbaclisters.RoleBindingLister(nil)
	_ ClusterRoleGetter        = rbaclisters.ClusterRoleLister(nil)
	_ ClusterRoleBindingLister = rbaclisters.ClusterRoleBindingLister(nil)
)
