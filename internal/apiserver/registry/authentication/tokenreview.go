package authentication

import (
	"context"

	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// TokenAuthenticator checks a bearer token the way the API server checks
// one on a request, but for the given audiences (none: the API server's
// own). valid, on success, are those of the audiences asked for that the
// token is valid for. ok=false with err says why the token was refused.
type TokenAuthenticator interface {
	ReviewToken(ctx context.Context, token string, audiences []string) (u *authn.User, valid []string, ok bool, err error)
}

type tokenReviewer struct{ tokens TokenAuthenticator }

// create answers a TokenReview: webhooks, aggregated API servers and
// kubelets ask whether a token presented to them is valid and whose it is.
// A refused token is an answer (authenticated: false, with the error), not
// a failed request.
func (r tokenReviewer) create(ctx context.Context, obj runtime.Object) (runtime.Object, error) {
	review := obj.(*authenticationv1.TokenReview).DeepCopy()
	if review.Spec.Token == "" {
		return nil, apierrors.NewBadRequest("token is required for TokenReview in authentication")
	}
	u, auds, ok, err := r.tokens.ReviewToken(ctx, review.Spec.Token, review.Spec.Audiences)
	review.Status = authenticationv1.TokenReviewStatus{Authenticated: ok, Audiences: auds}
	if ok {
		review.Status.User = UserInfo(u)
	}
	if err != nil {
		review.Status.Error = err.Error()
	}
	// The token is the caller's secret: it is not echoed back.
	review.Spec.Token = ""
	return review, nil
}
