package authentication

import (
	authenticationv1 "k8s.io/api/authentication/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// Resources describes TokenReview, answered by tokens, and
// SelfSubjectReview.
func Resources(tokens TokenAuthenticator) []*registry.Resource {
	gv := authenticationv1.SchemeGroupVersion
	return []*registry.Resource{
		{
			GroupVersion: gv, Kind: "SelfSubjectReview", Plural: "selfsubjectreviews", Singular: "selfsubjectreview",
			New:      func() runtime.Object { return &authenticationv1.SelfSubjectReview{} },
			Strategy: registry.Base{},
			Create:   selfSubjectReview,
		},
		{
			GroupVersion: gv, Kind: "TokenReview", Plural: "tokenreviews", Singular: "tokenreview",
			New:      func() runtime.Object { return &authenticationv1.TokenReview{} },
			Strategy: registry.Base{},
			Create:   tokenReviewer{tokens}.create,
		},
	}
}
