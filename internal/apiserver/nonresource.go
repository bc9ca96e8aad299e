package apiserver

import "net/http"

// HandleNonResource registers a handler for an exact non-resource path
// (the service-account issuer's /.well-known/openid-configuration, say),
// served after authentication and authorization like any other path and
// listed at "/".
func (s *Server) HandleNonResource(path string, h http.Handler) {
	if s.nonResource == nil {
		s.nonResource = map[string]http.Handler{}
	}
	s.nonResource[path] = h
}
