package authz

import (
	"context"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// SystemMasters allows everything to members of system:masters, the
// admin kubeconfig's group: upstream hard-wires the same super-user group so
// the admin can never lock itself out through RBAC.
type SystemMasters struct{}

// Authorize implements Authorizer.
func (SystemMasters) Authorize(_ context.Context, a Attributes) (Decision, string, error) {
	if a.User != nil && a.User.InGroup(authn.SystemMasters) {
		return Allow, "", nil
	}
	return NoOpinion, "", nil
}
