package authorization

import (
	"context"

	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// subjectAccessReview asks whether the user named in the spec may do what
// it describes (webhooks and aggregated servers ask this about their
// callers).
func (r reviewer) subjectAccessReview(ctx context.Context, obj runtime.Object) (runtime.Object, error) {
	sar := obj.(*authorizationv1.SubjectAccessReview).DeepCopy()
	attrs := attributesFrom(userFrom(&sar.Spec), sar.Spec.ResourceAttributes, sar.Spec.NonResourceAttributes)
	sar.Status = statusFrom(r.z.Authorize(ctx, attrs))
	return sar, nil
}

type subjectAccessReviewStrategy struct{ registry.Base }

func (subjectAccessReviewStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	sar := obj.(*authorizationv1.SubjectAccessReview)
	errs := validateSubjectSpec(&sar.Spec, field.NewPath("spec"))
	return append(errs, validateEmptyMeta(sar.ObjectMeta, false)...)
}
