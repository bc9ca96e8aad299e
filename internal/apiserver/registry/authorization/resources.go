package authorization

import (
	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/authz"
	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// Resources describes the four reviews, answered by z (the server's
// authorizer chain) and rules (its rule resolvers).
func Resources(z authz.Authorizer, rules authz.RuleResolver) []*registry.Resource {
	gv := authorizationv1.SchemeGroupVersion
	r := reviewer{z: z, rules: rules}
	return []*registry.Resource{
		{
			GroupVersion: gv, Kind: "LocalSubjectAccessReview", Plural: "localsubjectaccessreviews",
			Singular: "localsubjectaccessreview", Namespaced: true,
			New:      func() runtime.Object { return &authorizationv1.LocalSubjectAccessReview{} },
			Strategy: localSubjectAccessReviewStrategy{},
			Create:   r.localSubjectAccessReview,
		},
		{
			GroupVersion: gv, Kind: "SelfSubjectAccessReview", Plural: "selfsubjectaccessreviews",
			Singular: "selfsubjectaccessreview",
			New:      func() runtime.Object { return &authorizationv1.SelfSubjectAccessReview{} },
			Strategy: selfSubjectAccessReviewStrategy{},
			Create:   r.selfSubjectAccessReview,
		},
		{
			GroupVersion: gv, Kind: "SelfSubjectRulesReview", Plural: "selfsubjectrulesreviews",
			Singular: "selfsubjectrulesreview",
			New:      func() runtime.Object { return &authorizationv1.SelfSubjectRulesReview{} },
			Strategy: registry.Base{},
			Create:   r.selfSubjectRulesReview,
		},
		{
			GroupVersion: gv, Kind: "SubjectAccessReview", Plural: "subjectaccessreviews",
			Singular: "subjectaccessreview",
			New:      func() runtime.Object { return &authorizationv1.SubjectAccessReview{} },
			Strategy: subjectAccessReviewStrategy{},
			Create:   r.subjectAccessReview,
		},
	}
}

// reviewer answers reviews with the server's chain.
type reviewer struct {
	z     authz.Authorizer
	rules authz.RuleResolver
}
