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

// roleBindingStrategy is rbac.authorization.k8s.io/v1 RoleBinding. It may
// bind a Role of its namespace or a ClusterRole (granted in the namespace).
type roleBindingStrategy struct{ registry.Base }

func (roleBindingStrategy) Default(obj runtime.Object) {
	b := obj.(*rbacv1.RoleBinding)
	defaultBinding(&b.RoleRef, b.Subjects)
}

func (roleBindingStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	b := obj.(*rbacv1.RoleBinding)
	return append(validateMeta(&b.ObjectMeta, true), validateRoleBinding(b)...)
}

func (roleBindingStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	b, o := obj.(*rbacv1.RoleBinding), old.(*rbacv1.RoleBinding)
	errs := apivalidation.ValidateObjectMetaUpdate(&b.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateRoleBinding(b)...)
	return append(errs, validateBindingUpdate(b.RoleRef, o.RoleRef)...)
}

func validateRoleBinding(b *rbacv1.RoleBinding) field.ErrorList {
	errs := validateRoleRef(b.RoleRef, []string{"Role", "ClusterRole"})
	for i, s := range b.Subjects {
		// A service account without a namespace means the binding's own.
		errs = append(errs, validateSubject(s, true, field.NewPath("subjects").Index(i))...)
	}
	return errs
}

func (roleBindingStrategy) TableColumns() []metav1.TableColumnDefinition {
	return bindingColumns("roleBinding")
}

func (roleBindingStrategy) TableRow(obj runtime.Object) []interface{} {
	b := obj.(*rbacv1.RoleBinding)
	return bindingRow(obj, b.RoleRef, b.Subjects)
}
