package controlplane

import (
	"context"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/authn/serviceaccount"
)

// tokenReviewer answers TokenReview with the same token plugins requests
// are authenticated with, as upstream's does.
type tokenReviewer struct {
	tokens *tokenAuthenticators
	gate   *syncGate
}

// ReviewToken implements authentication.TokenAuthenticator. A
// service-account token must name one of the audiences asked for (the API
// server's when none are); a bootstrap token names none and is only ever
// good for the API server itself, as upstream treats audience-agnostic
// tokens.
func (r tokenReviewer) ReviewToken(ctx context.Context, token string, audiences []string) (*authn.User, []string, bool, error) {
	if err := r.gate.await(ctx); err != nil {
		return nil, nil, false, err
	}
	api := r.tokens.serviceAccounts.Audiences()
	want := audiences
	sa := r.tokens.serviceAccounts
	if len(want) == 0 {
		want = api
	} else {
		sa = sa.ForAudiences(want)
	}
	u, ok, err := sa.AuthenticateToken(ctx, token)
	if err != nil {
		return nil, nil, false, err
	}
	if ok {
		tokenAuds := serviceaccount.TokenAudiences(token)
		if len(tokenAuds) == 0 {
			tokenAuds = api // legacy secret tokens are the API server's
		}
		return authenticated(u), intersect(want, tokenAuds), true, nil
	}
	if valid := intersect(want, api); len(valid) > 0 {
		u, ok, err := r.tokens.bootstrap.AuthenticateToken(ctx, token)
		if err != nil {
			return nil, nil, false, err
		}
		if ok {
			return authenticated(u), valid, true, nil
		}
	}
	return nil, nil, false, authn.ErrInvalidBearerToken
}

// authenticated adds system:authenticated, as the request chain does.
func authenticated(u *authn.User) *authn.User {
	if !u.InGroup(authn.AllAuthenticated) {
		u.Groups = append(u.Groups, authn.AllAuthenticated)
	}
	return u
}

// intersect is a's members that are in b, in a's order.
func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		for _, y := range b {
			if x == y {
				out = append(out, x)
				break
			}
		}
	}
	return out
}
