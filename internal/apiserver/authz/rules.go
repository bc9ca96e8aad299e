package authz

import (
	"errors"

	authorizationv1 "k8s.io/api/authorization/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// RuleResolver lists what a user may do in a namespace, for
// SelfSubjectRulesReview (`kubectl auth can-i --list`). incomplete is true
// when the resolver allows things it cannot list (the Node authorizer
// decides per object), so the answer is a lower bound.
type RuleResolver interface {
	RulesFor(u *authn.User, namespace string) (resource []authorizationv1.ResourceRule, nonResource []authorizationv1.NonResourceRule, incomplete bool, err error)
}

// RuleResolvers is the union of the chain's resolvers: the rules of all,
// incomplete if any is, and every error.
type RuleResolvers []RuleResolver

// RulesFor implements RuleResolver.
func (rs RuleResolvers) RulesFor(u *authn.User, namespace string) ([]authorizationv1.ResourceRule, []authorizationv1.NonResourceRule, bool, error) {
	var resource []authorizationv1.ResourceRule
	var nonResource []authorizationv1.NonResourceRule
	incomplete := false
	var errs []error
	for _, r := range rs {
		res, non, inc, err := r.RulesFor(u, namespace)
		resource = append(resource, res...)
		nonResource = append(nonResource, non...)
		incomplete = incomplete || inc
		if err != nil {
			errs = append(errs, err)
		}
	}
	return resource, nonResource, incomplete, errors.Join(errs...)
}

// RulesFor gives system:masters everything, as upstream's privileged-group
// authorizer lists it: `*.*` and every non-resource URL.
func (SystemMasters) RulesFor(u *authn.User, _ string) ([]authorizationv1.ResourceRule, []authorizationv1.NonResourceRule, bool, error) {
	if u == nil || !u.InGroup(authn.SystemMasters) {
		return nil, nil, false, nil
	}
	return []authorizationv1.ResourceRule{{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}},
		[]authorizationv1.NonResourceRule{{Verbs: []string{"*"}, NonResourceURLs: []string{"*"}}}, false, nil
}
