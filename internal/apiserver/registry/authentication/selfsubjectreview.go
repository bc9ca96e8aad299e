package authentication

import (
	"context"

	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// selfSubjectReview answers who the requesting user is: `kubectl auth
// whoami`.
func selfSubjectReview(ctx context.Context, obj runtime.Object) (runtime.Object, error) {
	u, ok := authn.UserFrom(ctx)
	if !ok {
		return nil, apierrors.NewBadRequest("no user present on request")
	}
	out := obj.(*authenticationv1.SelfSubjectReview).DeepCopy()
	out.Status.UserInfo = UserInfo(u)
	return out, nil
}
