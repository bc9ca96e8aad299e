package networking

import (
	"context"

	networkingv1 "k8s.io/api/networking/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

const maxControllerLength = 250

var parameterScopes = []string{networkingv1.IngressClassParametersReferenceScopeCluster, networkingv1.IngressClassParametersReferenceScopeNamespace}

// ingressClassStrategy is networking.k8s.io/v1 IngressClass.
type ingressClassStrategy struct{ registry.Base }

// Default scopes parameters to the cluster, as upstream.
func (ingressClassStrategy) Default(obj runtime.Object) {
	c := obj.(*networkingv1.IngressClass)
	if p := c.Spec.Parameters; p != nil && p.Scope == nil {
		scope := networkingv1.IngressClassParametersReferenceScopeCluster
		p.Scope = &scope
	}
}

func (ingressClassStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	c := obj.(*networkingv1.IngressClass)
	errs := apivalidation.ValidateObjectMeta(&c.ObjectMeta, false, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateIngressClassSpec(&c.Spec, field.NewPath("spec"))...)
}

// ValidateUpdate keeps the controller immutable: ingresses of this class
// are already served by it.
func (ingressClassStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	c, o := obj.(*networkingv1.IngressClass), old.(*networkingv1.IngressClass)
	errs := apivalidation.ValidateObjectMetaUpdate(&c.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateIngressClassSpec(&c.Spec, field.NewPath("spec"))...)
	return append(errs, apivalidation.ValidateImmutableField(c.Spec.Controller, o.Spec.Controller, field.NewPath("spec", "controller"))...)
}

func validateIngressClassSpec(spec *networkingv1.IngressClassSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	cp := fldPath.Child("controller")
	if len(spec.Controller) > maxControllerLength {
		errs = append(errs, field.TooLong(cp, spec.Controller, maxControllerLength))
	}
	errs = append(errs, validation.IsDomainPrefixedPath(cp, spec.Controller)...)
	p := spec.Parameters
	if p == nil {
		return errs
	}
	pp := fldPath.Child("parameters")
	errs = append(errs, validateTypedReference(p.APIGroup, p.Kind, p.Name, pp)...)
	switch {
	case p.Scope == nil:
		errs = append(errs, field.Required(pp.Child("scope"), ""))
	case *p.Scope == networkingv1.IngressClassParametersReferenceScopeNamespace:
		if p.Namespace == nil {
			errs = append(errs, field.Required(pp.Child("namespace"), "`parameters.scope` is set to 'Namespace'"))
		} else {
			for _, msg := range apivalidation.ValidateNamespaceName(*p.Namespace, false) {
				errs = append(errs, field.Invalid(pp.Child("namespace"), *p.Namespace, msg))
			}
		}
	case *p.Scope == networkingv1.IngressClassParametersReferenceScopeCluster:
		if p.Namespace != nil {
			errs = append(errs, field.Forbidden(pp.Child("namespace"), "`parameters.scope` is set to 'Cluster'"))
		}
	default:
		errs = append(errs, field.NotSupported(pp.Child("scope"), *p.Scope, parameterScopes))
	}
	return errs
}

// TableColumns are kubectl's: CONTROLLER PARAMETERS AGE.
func (ingressClassStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		{Name: "Controller", Type: "string", Description: "Controller that is responsible for handling this class"},
		{Name: "Parameters", Type: "string", Description: "A reference to a resource with additional parameters"},
		registry.AgeColumn,
	}
}

func (ingressClassStrategy) TableRow(obj runtime.Object) []interface{} {
	c := obj.(*networkingv1.IngressClass)
	params := "<none>"
	if p := c.Spec.Parameters; p != nil {
		params = p.Kind
		if p.APIGroup != nil {
			params += "." + *p.APIGroup
		}
		params += "/" + p.Name
	}
	return []interface{}{c.Spec.Controller, params, registry.Age(obj)}
}
