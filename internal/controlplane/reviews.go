package controlplane

import (
	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// reviewsAfter is the group the review groups follow in discovery, as
// upstream orders them (core, apps, events.k8s.io, authentication,
// authorization, ..., batch).
const reviewsAfter = "events.k8s.io"

// withReviews adds the authentication.k8s.io and authorization.k8s.io
// reviews to the built-in kinds. They are not in registry/builtin because
// they are answered by this server's authenticator and authorizer, which
// only exist here; they go where upstream lists them, after the last
// resource of reviewsAfter (or at the end if that group is not served).
func withReviews(resources []*registry.Resource, a *auth) []*registry.Resource {
	authnGroup, authzGroup := a.reviews()
	at := len(resources)
	for i, r := range resources {
		if r.GroupVersion.Group == reviewsAfter {
			at = i + 1
		}
	}
	out := make([]*registry.Resource, 0, len(resources)+len(authnGroup)+len(authzGroup))
	out = append(out, resources[:at]...)
	out = append(out, authnGroup...)
	out = append(out, authzGroup...)
	return append(out, resources[at:]...)
}
