package authorization

import (
	"context"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// selfSubjectRulesReview lists what the requesting user may do in a
// namespace: `kubectl auth can-i --list`. Incomplete says the list is a
// lower bound (a node's access depends on each object).
func (r reviewer) selfSubjectRulesReview(ctx context.Context, obj runtime.Object) (runtime.Object, error) {
	u, ok := authn.UserFrom(ctx)
	if !ok {
		return nil, apierrors.NewBadRequest("no user present on request")
	}
	in := obj.(*authorizationv1.SelfSubjectRulesReview)
	if in.Spec.Namespace == "" {
		return nil, apierrors.NewBadRequest("no namespace on request")
	}
	res, nonRes, incomplete, err := r.rules.RulesFor(u, in.Spec.Namespace)
	out := &authorizationv1.SelfSubjectRulesReview{
		Spec: in.Spec,
		Status: authorizationv1.SubjectRulesReviewStatus{
			ResourceRules: res, NonResourceRules: nonRes, Incomplete: incomplete,
		},
	}
	if out.Status.ResourceRules == nil {
		out.Status.ResourceRules = []authorizationv1.ResourceRule{}
	}
	if out.Status.NonResourceRules == nil {
		out.Status.NonResourceRules = []authorizationv1.NonResourceRule{}
	}
	if err != nil {
		out.Status.EvaluationError = err.Error()
	}
	return out, nil
}
