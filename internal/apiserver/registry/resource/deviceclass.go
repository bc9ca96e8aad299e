package resource

import (
	"context"

	resourcev1 "k8s.io/api/resource/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// deviceClassStrategy is resource.k8s.io/v1 DeviceClass: a named set of
// selectors and configuration that claims pick devices through. Classes may
// change; claims already allocated keep what they got.
type deviceClassStrategy struct{ registry.Base }

func (deviceClassStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	c := obj.(*resourcev1.DeviceClass)
	errs := apivalidation.ValidateObjectMeta(&c.ObjectMeta, false, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateClassSpec(&c.Spec, field.NewPath("spec"))...)
}

func (deviceClassStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	c, o := obj.(*resourcev1.DeviceClass), old.(*resourcev1.DeviceClass)
	errs := apivalidation.ValidateObjectMetaUpdate(&c.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	return append(errs, validateClassSpec(&c.Spec, field.NewPath("spec"))...)
}

func validateClassSpec(s *resourcev1.DeviceClassSpec, p *field.Path) field.ErrorList {
	errs := validateSelectors(s.Selectors, p.Child("selectors"))
	cp := p.Child("config")
	if len(s.Config) > maxConfigs {
		errs = append(errs, field.TooMany(cp, len(s.Config), maxConfigs))
	}
	for i, c := range s.Config {
		errs = append(errs, validateConfig(c.DeviceConfiguration, cp.Index(i))...)
	}
	// The class stands for an extended resource pods may request like CPU.
	if n := s.ExtendedResourceName; n != nil {
		for _, msg := range validation.IsQualifiedName(*n) {
			errs = append(errs, field.Invalid(p.Child("extendedResourceName"), *n, msg))
		}
	}
	return errs
}
