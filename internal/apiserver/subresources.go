package apiserver

import (
	"net/http"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// SubresourceHandler serves a subresource the generic handler does not
// (pods/log, pods/exec, serviceaccounts/token, ...), registered by the
// component that owns it.
type SubresourceHandler func(w http.ResponseWriter, r *http.Request, info *RequestInfo)

// HandleSubresource registers a handler for res/sub (e.g. "pods", "log").
func (s *Server) HandleSubresource(group, resource, sub string, h SubresourceHandler) {
	if s.subresources == nil {
		s.subresources = map[string]SubresourceHandler{}
	}
	s.subresources[group+"/"+resource+"/"+sub] = h
}

func (s *Server) subresourceHandler(res *registry.Resource, sub string) SubresourceHandler {
	return s.subresources[res.GroupVersion.Group+"/"+res.Plural+"/"+sub]
}
