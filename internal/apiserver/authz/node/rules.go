package node

import (
	"errors"

	authorizationv1 "k8s.io/api/authorization/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// errNoRules is upstream's answer, word for word, to a node asking what it
// may do.
var errNoRules = errors.New("node authorizer does not support user rule resolution")

// RulesFor answers SelfSubjectRulesReview for node users as upstream does:
// what a node may reach depends on each object (which pods reference it),
// so it cannot be listed; the answer is marked incomplete. Other users get
// nothing from this authorizer.
func (z *Authorizer) RulesFor(u *authn.User, _ string) ([]authorizationv1.ResourceRule, []authorizationv1.NonResourceRule, bool, error) {
	if _, isNode := Identity(u); isNode {
		return nil, nil, true, errNoRules
	}
	return nil, nil, false, nil
}
