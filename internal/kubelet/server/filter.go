package server

import (
	"fmt"
	"net/http"

	"github.com/sirupsen/logrus"
)

// withAuth authenticates and authorizes every request before next runs:
// 401 without a verified client certificate, 403 when no candidate
// subresource is allowed, 500 when the API server cannot be asked.
func withAuth(authz *sarAuthorizer, next http.Handler) http.Handler {
	log := logrus.WithField("component", "kubelet-server")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := authenticate(r)
		if !ok {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		verb := verbFor(r.Method)
		subs := subresourcesFor(r.URL.Path)
		for _, sub := range subs {
			allowed, err := authz.allowed(r.Context(), u, verb, sub)
			if err != nil {
				log.WithError(err).WithField("user", u.Name).Warn("authorization error")
				http.Error(w, fmt.Sprintf("Authorization error (user=%s, verb=%s, resource=nodes, subresource=%s)", u.Name, verb, sub), http.StatusInternalServerError)
				return
			}
			if allowed {
				next.ServeHTTP(w, r)
				return
			}
		}
		log.WithFields(logrus.Fields{"user": u.Name, "verb": verb, "subresources": subs}).Debug("forbidden")
		http.Error(w, fmt.Sprintf("Forbidden (user=%s, verb=%s, resource=nodes, subresource(s)=%v)", u.Name, verb, subs), http.StatusForbidden)
	})
}
