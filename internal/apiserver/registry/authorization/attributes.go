package authorization

import (
	authorizationv1 "k8s.io/api/authorization/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/authz"
)

// attributesFrom turns a review's spec into the request the authorizer
// judges, as upstream's authorizationutil does: a resource request with the
// version "*" when none is given (a rule never names versions), or a
// non-resource one by path.
func attributesFrom(u *authn.User, res *authorizationv1.ResourceAttributes, nonRes *authorizationv1.NonResourceAttributes) authz.Attributes {
	if res != nil {
		version := res.Version
		if version == "" {
			version = "*"
		}
		return authz.Attributes{
			User: u, Verb: res.Verb, ResourceRequest: true,
			APIGroup: res.Group, APIVersion: version, Resource: res.Resource,
			Subresource: res.Subresource, Namespace: res.Namespace, Name: res.Name,
		}
	}
	a := authz.Attributes{User: u}
	if nonRes != nil {
		a.Verb, a.Path = nonRes.Verb, nonRes.Path
	}
	return a
}

// statusFrom is the review's answer to an authorizer decision.
func statusFrom(d authz.Decision, reason string, err error) authorizationv1.SubjectAccessReviewStatus {
	s := authorizationv1.SubjectAccessReviewStatus{Allowed: d == authz.Allow, Denied: d == authz.Deny, Reason: reason}
	if err != nil {
		s.EvaluationError = err.Error()
	}
	return s
}

// userFrom is the subject a SubjectAccessReview asks about. Unlike a real
// request it gets no implicit system:authenticated: the review asks about
// exactly the groups it names, as upstream's does.
func userFrom(spec *authorizationv1.SubjectAccessReviewSpec) *authn.User {
	u := &authn.User{Name: spec.User, UID: spec.UID, Groups: append([]string(nil), spec.Groups...)}
	if len(spec.Extra) > 0 {
		u.Extra = make(map[string][]string, len(spec.Extra))
		for k, v := range spec.Extra {
			u.Extra[k] = append([]string(nil), v...)
		}
	}
	return u
}
