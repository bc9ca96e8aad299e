package authorization

import (
	"context"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// selfSubjectAccessReview asks whether the requesting user may do what the
// spec describes: `kubectl auth can-i`.
func (r reviewer) selfSubjectAccessReview(ctx context.Context, obj runtime.Object) (runtime.Object, error) {
	u, ok := authn.UserFrom(ctx)
	if !ok {
		return nil, apierrors.NewBadRequest("no user present on request")
	}
	sar := obj.(*authorizationv1.SelfSubjectAccessReview).DeepCopy()
	attrs := attributesFrom(u, sar.Spec.ResourceAttributes, sar.Spec.NonResourceAttributes)
	sar.Status = statusFrom(r.z.Authorize(ctx, attrs))
	return sar, nil
}

type selfSubjectAccessReviewStrategy struct{ registry.Base }

func (selfSubjectAccessReviewStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	sar := obj.(*authorizationv1.SelfSubjectAccessReview)
	errs := validateAttributes(sar.Spec.ResourceAttributes, sar.Spec.NonResourceAttributes, field.NewPath("spec"))
	return append(errs, validateEmptyMeta(sar.ObjectMeta, false)...)
}
