package authorization

import (
	"context"

	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// localSubjectAccessReview is a SubjectAccessReview confined to one
// namespace, so that a namespace admin may be allowed to ask it.
func (r reviewer) localSubjectAccessReview(ctx context.Context, obj runtime.Object) (runtime.Object, error) {
	sar := obj.(*authorizationv1.LocalSubjectAccessReview).DeepCopy()
	attrs := attributesFrom(userFrom(&sar.Spec), sar.Spec.ResourceAttributes, nil)
	sar.Status = statusFrom(r.z.Authorize(ctx, attrs))
	return sar, nil
}

type localSubjectAccessReviewStrategy struct{ registry.Base }

// Validate runs after the handler set metadata.namespace from the URL; the
// question must be about that namespace and about resources only.
func (localSubjectAccessReviewStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	sar := obj.(*authorizationv1.LocalSubjectAccessReview)
	errs := validateSubjectSpec(&sar.Spec, field.NewPath("spec"))
	errs = append(errs, validateEmptyMeta(sar.ObjectMeta, true)...)
	if ra := sar.Spec.ResourceAttributes; ra != nil && ra.Namespace != sar.Namespace {
		errs = append(errs, field.Invalid(field.NewPath("spec", "resourceAttributes", "namespace"), ra.Namespace, `must match metadata.namespace`))
	}
	if sar.Spec.NonResourceAttributes != nil {
		errs = append(errs, field.Invalid(field.NewPath("spec", "nonResourceAttributes"), sar.Spec.NonResourceAttributes, `disallowed on this kind of request`))
	}
	return errs
}
