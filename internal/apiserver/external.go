package apiserver

import (
	"net/http"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ExternalResource is a resource whose objects this server computes
// rather than stores (metrics.k8s.io's NodeMetrics and PodMetrics, read
// from the kubelets): the pipeline authenticates and authorizes its
// requests like any other, discovery lists it, and Handler answers them.
type ExternalResource struct {
	GroupVersion schema.GroupVersion
	// Resource is its discovery entry: Name (plural), SingularName, Kind,
	// Namespaced and Verbs.
	Resource metav1.APIResource
	Handler  SubresourceHandler
}

// HandleResource serves an ExternalResource and lists it in discovery.
// Like HandleSubresource, it is called while the server is being
// assembled, before it serves.
func (s *Server) HandleResource(res ExternalResource) {
	s.external = append(s.external, res)
	s.discovery = newDiscovery(s.cfg.Resources, s.external)
}

// serveExternal answers a request for an ExternalResource; false when
// the request is for none.
func (s *Server) serveExternal(w http.ResponseWriter, r *http.Request, info *RequestInfo) bool {
	for _, ext := range s.external {
		gv := ext.GroupVersion
		if gv.Group == info.APIGroup && gv.Version == info.APIVersion && ext.Resource.Name == info.Resource {
			if !ext.Resource.Namespaced && info.Namespace != "" {
				return false // 404, as for a stored cluster-scoped resource
			}
			ext.Handler(w, r, info)
			return true
		}
	}
	return false
}
