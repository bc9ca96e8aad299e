package rbac

import (
	"context"

	rbacv1 "k8s.io/api/rbac/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// clusterRoleBindingStrategy is rbac.authorization.k8s.io/v1
// ClusterRoleBinding: a ClusterRole granted cluster-wide.
type clusterRoleBindingStrategy struct{ registry.Base }

func (clusterRoleBindingStrategy) Default(obj runtime.Object) {
	b := obj.(*rbacv1.ClusterRoleBinding)
	defaultBinding(&b.RoleRef, b.Subjects)
}

func (clusterRoleBindingStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	b := obj.(*rbacv1.ClusterRoleBinding)
	return append(validateMeta(&b.ObjectMeta, false), validateClusterRoleBinding(b)...)
}

func (clusterRoleBindingStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	b, o := obj.(*rbacv1.ClusterRoleBinding), old.(*rbacv1.ClusterRoleBinding)
	errs := apivalidation.ValidateObjectMetaUpdate(&b.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateClusterRoleBinding(b)...)
	return append(errs, validateBindingUpdate(b.RoleRef, o.RoleRef)...)
}

func validateClusterRoleBinding(b *rbacv1.ClusterRoleBinding) field.ErrorList {
	errs := validateRoleRef(b.RoleRef, []string{"ClusterRole"})
	for i, s := range b.Subjects {
		errs = append(errs, validateSubject(s, false, field.NewPath("subjects").Index(i))...)
	}
	return errs
}

func (clusterRoleBindingStrategy) TableColumns() []metav1.TableColumnDefinition {
	return bindingColumns("clusterRoleBinding")
}

func (clusterRoleBindingStrategy) TableRow(obj runtime.Object) []interface{} {
	b := obj.(*rbacv1.ClusterRoleBinding)
	return bindingRow(obj, b.RoleRef, b.Subjects)
}
