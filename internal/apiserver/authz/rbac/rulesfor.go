package rbac

import (
	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// Rules returns every policy rule that applies to u in namespace
// (cluster-wide rules included), each role's rules once per binding, and the
// aggregated errors of roles that could not be resolved. The rules returned
// are valid even when err is set: RBAC is purely additive. Escalation checks
// (creating a role or binding needs the rules it grants) start from here.
func (a *Authorizer) Rules(u *authn.User, namespace string) ([]rbacv1.PolicyRule, error) {
	var rules []rbacv1.PolicyRule
	var errs []error
	a.visit(u, namespace, func(_ *binding, r []rbacv1.PolicyRule, err error) {
		if err != nil {
			errs = append(errs, err)
			return
		}
		rules = append(rules, r...)
	})
	return rules, utilerrors.NewAggregate(errs)
}

// RulesFor answers SelfSubjectRulesReview: the resource and non-resource
// rules of u in namespace, in the review's own types. incomplete is always
// false for RBAC (it enumerates everything it would allow); err carries
// resolution errors, which the review reports as evaluationError.
func (a *Authorizer) RulesFor(u *authn.User, namespace string) (resource []authorizationv1.ResourceRule, nonResource []authorizationv1.NonResourceRule, incomplete bool, err error) {
	rules, err := a.Rules(u, namespace)
	for _, r := range rules {
		if len(r.Resources) > 0 {
			resource = append(resource, authorizationv1.ResourceRule{
				Verbs:         r.Verbs,
				APIGroups:     r.APIGroups,
				Resources:     r.Resources,
				ResourceNames: r.ResourceNames,
			})
		}
		if len(r.NonResourceURLs) > 0 {
			nonResource = append(nonResource, authorizationv1.NonResourceRule{
				Verbs:           r.Verbs,
				NonResourceURLs: r.NonResourceURLs,
			})
		}
	}
	return resource, nonResource, false, err
}
