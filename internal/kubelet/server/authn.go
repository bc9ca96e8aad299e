package server

import (
	"net/http"
)

// requestUser is who made a request, as the client certificate says: the
// common name is the user and the organizations are the groups, the same
// reading the API server's x509 authenticator makes.
type requestUser struct {
	Name   string
	UID    string
	Groups []string
	Extra  map[string][]string
}

// authenticatedGroup is added to every authenticated user, as upstream's
// authenticator chain does, so RBAC bindings to it apply here too.
const authenticatedGroup = "system:authenticated"

// authenticate returns the user of a request whose client certificate the
// TLS handshake verified against Config.ClientCAs. A request without one (or
// over plain HTTP) is anonymous, which the kubelet refuses, as upstream does
// with webhook authentication and anonymous auth disabled.
func authenticate(r *http.Request) (requestUser, bool) {
	if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.VerifiedChains[0]) == 0 {
		return requestUser{}, false
	}
	cert := r.TLS.VerifiedChains[0][0]
	if cert.Subject.CommonName == "" {
		return requestUser{}, false
	}
	groups := append([]string(nil), cert.Subject.Organization...)
	groups = append(groups, authenticatedGroup)
	return requestUser{Name: cert.Subject.CommonName, Groups: groups}, true
}
