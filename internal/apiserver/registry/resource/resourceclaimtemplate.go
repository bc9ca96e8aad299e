package resource

import (
	"context"

	resourcev1 "k8s.io/api/resource/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// resourceClaimTemplateStrategy is resource.k8s.io/v1 ResourceClaimTemplate:
// the claim the resource claim controller stamps out for each pod that
// names it.
type resourceClaimTemplateStrategy struct{ registry.Base }

func (resourceClaimTemplateStrategy) Default(obj runtime.Object) {
	defaultClaimSpec(&obj.(*resourcev1.ResourceClaimTemplate).Spec.Spec)
}

func (resourceClaimTemplateStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	t := obj.(*resourcev1.ResourceClaimTemplate)
	errs := apivalidation.ValidateObjectMeta(&t.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateTemplateSpec(&t.Spec, field.NewPath("spec"))...)
}

// ValidateUpdate freezes the spec, as upstream: claims already made from
// the template would silently differ from later ones.
func (resourceClaimTemplateStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	t, o := obj.(*resourcev1.ResourceClaimTemplate), old.(*resourcev1.ResourceClaimTemplate)
	errs := apivalidation.ValidateObjectMetaUpdate(&t.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	return append(errs, apivalidation.ValidateImmutableField(t.Spec, o.Spec, field.NewPath("spec"))...)
}

// validateTemplateSpec checks the claim spec and the labels and annotations
// copied onto each claim (its name and namespace come from the pod).
func validateTemplateSpec(s *resourcev1.ResourceClaimTemplateSpec, p *field.Path) field.ErrorList {
	mp := p.Child("metadata")
	errs := metav1validation.ValidateLabels(s.Labels, mp.Child("labels"))
	errs = append(errs, apivalidation.ValidateAnnotations(s.Annotations, mp.Child("annotations"))...)
	return append(errs, validateClaimSpec(&s.Spec, p.Child("spec"))...)
}
