package rbac

import (
	"context"

	rbacv1 "k8s.io/api/rbac/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// clusterRoleStrategy is rbac.authorization.k8s.io/v1 ClusterRole.
type clusterRoleStrategy struct{ registry.Base }

func (clusterRoleStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	r := obj.(*rbacv1.ClusterRole)
	errs := append(validateMeta(&r.ObjectMeta, false), validateRules(r.Rules, false)...)
	return append(errs, validateAggregation(r.AggregationRule, nil)...)
}

func (clusterRoleStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	r, o := obj.(*rbacv1.ClusterRole), old.(*rbacv1.ClusterRole)
	errs := apivalidation.ValidateObjectMetaUpdate(&r.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateRules(r.Rules, false)...)
	return append(errs, validateAggregation(r.AggregationRule, o.AggregationRule)...)
}

// validateAggregation checks the selectors an aggregated role (admin, edit,
// view) gathers rules with; the aggregation controller owns its rules.
func validateAggregation(a, old *rbacv1.AggregationRule) field.ErrorList {
	if a == nil {
		return nil
	}
	p := field.NewPath("aggregationRule", "clusterRoleSelectors")
	if len(a.ClusterRoleSelectors) == 0 {
		return field.ErrorList{field.Required(p, "at least one clusterRoleSelector required if aggregationRule is non-nil")}
	}
	// Stored selectors with invalid label values stay accepted on update.
	opts := metav1validation.LabelSelectorValidationOptions{}
	if old != nil {
		for i := range old.ClusterRoleSelectors {
			if metav1validation.LabelSelectorHasInvalidLabelValue(&old.ClusterRoleSelectors[i]) {
				opts.AllowInvalidLabelValueInSelector = true
			}
		}
	}
	var errs field.ErrorList
	for i := range a.ClusterRoleSelectors {
		sel := &a.ClusterRoleSelectors[i]
		errs = append(errs, metav1validation.ValidateLabelSelector(sel, opts, p.Index(i))...)
		if _, err := metav1.LabelSelectorAsSelector(sel); err != nil {
			errs = append(errs, field.Invalid(p.Index(i), sel, "invalid label selector."))
		}
	}
	return errs
}

func (clusterRoleStrategy) TableColumns() []metav1.TableColumnDefinition { return roleColumns() }
func (clusterRoleStrategy) TableRow(obj runtime.Object) []interface{}    { return createdAt(obj) }
