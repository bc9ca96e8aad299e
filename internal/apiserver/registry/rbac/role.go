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

// roleStrategy is rbac.authorization.k8s.io/v1 Role (namespaced).
type roleStrategy struct{ registry.Base }

func (roleStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	r := obj.(*rbacv1.Role)
	return append(validateMeta(&r.ObjectMeta, true), validateRules(r.Rules, true)...)
}

func (roleStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	r, o := obj.(*rbacv1.Role), old.(*rbacv1.Role)
	errs := apivalidation.ValidateObjectMetaUpdate(&r.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	return append(errs, validateRules(r.Rules, true)...)
}

func validateRules(rules []rbacv1.PolicyRule, namespaced bool) field.ErrorList {
	var errs field.ErrorList
	for i, r := range rules {
		errs = append(errs, validateRule(r, namespaced, field.NewPath("rules").Index(i))...)
	}
	return errs
}

func (roleStrategy) TableColumns() []metav1.TableColumnDefinition { return roleColumns() }
func (roleStrategy) TableRow(obj runtime.Object) []interface{}    { return createdAt(obj) }
