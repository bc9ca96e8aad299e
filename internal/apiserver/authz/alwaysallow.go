package authz

import "context"

// AlwaysAllow allows every request, as upstream's --authorization-mode
// AlwaysAllow. It is never part of a served chain: benchmarks use it as the
// baseline the real chain's cost is measured against.
type AlwaysAllow struct{}

// Authorize implements Authorizer.
func (AlwaysAllow) Authorize(context.Context, Attributes) (Decision, string, error) {
	return Allow, "", nil
}
