package authz

import "context"

// PublicInfo allows every user, anonymous included, to read the health and
// version endpoints, as upstream's system:public-info-viewer role does.
type PublicInfo struct{}

var publicPaths = map[string]bool{"/healthz": true, "/livez": true, "/readyz": true, "/version": true}

// Authorize implements Authorizer.
func (PublicInfo) Authorize(_ context.Context, a Attributes) (Decision, string, error) {
	if !a.ResourceRequest && a.Verb == "get" && publicPaths[a.Path] {
		return Allow, "", nil
	}
	return NoOpinion, "", nil
}
