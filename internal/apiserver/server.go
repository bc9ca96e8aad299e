package apiserver

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/authz"
	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// Server is the API server: one http.Handler that runs every request through
// the seed's pipeline — authenticate, authorize, then (for writes) admit,
// validate and store — and serves discovery, OpenAPI and health.
type Server struct {
	cfg Config

	// handlers by "group/version/resource" ("/v1/pods", "apps/v1/deployments").
	handlers map[string]*resourceHandler
	// byGroupResource finds a handler by group and resource, any version.
	byGroupResource map[schema.GroupResource]*resourceHandler
	discovery       *discovery
	subresources    map[string]SubresourceHandler
	external        []ExternalResource      // HandleResource
	audit           *auditSink              // nil: no audit log
	nonResource     map[string]http.Handler // HandleNonResource
	startHooks      []postStartHook
	postStartHooks  []postStartHook

	readyMu sync.RWMutex
	ready   bool
}

// New builds the server for cfg's resources, opening one store each.
func New(cfg Config) (*Server, error) {
	s := &Server{
		cfg:             cfg,
		handlers:        map[string]*resourceHandler{},
		byGroupResource: map[schema.GroupResource]*resourceHandler{},
	}
	for _, res := range cfg.Resources {
		h := &resourceHandler{server: s, res: res}
		if !res.Virtual() {
			h.prefix = storagePrefix(res)
			store, err := cfg.StorageFor(res, h.prefix)
			if err != nil {
				return nil, fmt.Errorf("opening storage for %s: %w", res.Plural, err)
			}
			h.store = store
		}
		s.handlers[handlerKey(res.GroupVersion.Group, res.GroupVersion.Version, res.Plural)] = h
		s.byGroupResource[schema.GroupResource{Group: res.GroupVersion.Group, Resource: res.Plural}] = h
	}
	s.discovery = newDiscovery(cfg.Resources, nil)
	if cfg.AuditLog != nil {
		s.audit = &auditSink{w: cfg.AuditLog}
	}
	return s, nil
}

// storagePrefix is where a resource's objects live in etcd:
// /registry/<resource> for the core group (as upstream, so etcdctl users
// find /registry/pods), /registry/<group>/<resource> otherwise.
func storagePrefix(res *registry.Resource) string {
	if res.StoragePrefix != "" {
		return res.StoragePrefix
	}
	if res.GroupVersion.Group == "" {
		return "/registry/" + res.Plural
	}
	return "/registry/" + res.GroupVersion.Group + "/" + res.Plural
}

func handlerKey(group, version, resource string) string {
	return group + "/" + version + "/" + resource
}

// SetReady marks start-up (bootstrap objects) as done, for /readyz.
func (s *Server) SetReady() {
	s.readyMu.Lock()
	s.ready = true
	s.readyMu.Unlock()
}

func (s *Server) isReady() bool {
	s.readyMu.RLock()
	defer s.readyMu.RUnlock()
	return s.ready
}

// ServeHTTP runs the pipeline: request info -> authentication ->
// authorization -> the route (REST handlers do admission, validation and
// storage).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w, audit := s.startAudit(w, r)
	defer audit.finish()
	defer recoverPanic(w, r)
	info := ParseRequestInfo(r)
	audit.setRequest(info)
	ctx := WithRequestInfo(r.Context(), info)
	// Admission plugins' warnings reach the response through the context.
	ctx, _ = admission.WithWarnings(ctx)

	user, ok, err := s.authenticate(r)
	if err != nil {
		writeError(w, r, authenticationFailed(r, err))
		return
	}
	if !ok {
		user = authn.AnonymousUser()
	}
	if user, err = s.impersonate(ctx, r, user); err != nil {
		writeError(w, r, err)
		return
	}
	ctx = authn.WithUser(ctx, user)
	audit.setUser(user)
	r = r.WithContext(ctx)

	if err := s.authorize(ctx, info, user); err != nil {
		writeError(w, r, err)
		return
	}
	s.route(w, r, info)
}

func (s *Server) authenticate(r *http.Request) (*authn.User, bool, error) {
	if s.cfg.Authenticator == nil {
		return nil, false, nil
	}
	return s.cfg.Authenticator.Authenticate(r)
}

// authorize returns nil when the request may proceed, 401 for an anonymous
// request that is not allowed (we do not serve anonymous users beyond the
// public endpoints), 403 naming user, verb and resource otherwise.
func (s *Server) authorize(ctx context.Context, info *RequestInfo, user *authn.User) error {
	if s.cfg.Authorizer == nil {
		return nil
	}
	attrs := authz.Attributes{
		User: user, Verb: info.Verb, ResourceRequest: info.IsResourceRequest,
		APIGroup: info.APIGroup, APIVersion: info.APIVersion, Resource: info.Resource,
		Subresource: info.Subresource, Namespace: info.Namespace, Name: info.Name, Path: info.Path,
	}
	decision, reason, err := s.cfg.Authorizer.Authorize(ctx, attrs)
	if decision == authz.Allow {
		return nil
	}
	if status := statusError(err); status != nil {
		return status // the authorizer could not decide (503 while its caches fill)
	}
	if user.Name == authn.Anonymous {
		return apierrors.NewUnauthorized("Unauthorized")
	}
	if err != nil && reason == "" {
		reason = err.Error()
	}
	return forbidden(info, user, reason)
}

// forbidden words a 403 as upstream does:
// pods "x" is forbidden: User "u" cannot delete resource "pods" in API group "" in the namespace "default".
func forbidden(info *RequestInfo, user *authn.User, reason string) error {
	var msg string
	if !info.IsResourceRequest {
		msg = fmt.Sprintf("User %q cannot %s path %q", user.Name, info.Verb, info.Path)
		if reason != "" {
			msg += ": " + reason
		}
		return apierrors.NewForbidden(schema.GroupResource{}, "", fmt.Errorf("%s", msg))
	}
	resource := info.Resource
	if info.Subresource != "" {
		resource += "/" + info.Subresource
	}
	msg = fmt.Sprintf("User %q cannot %s resource %q in API group %q", user.Name, info.Verb, resource, info.APIGroup)
	if info.Namespace != "" {
		msg += fmt.Sprintf(" in the namespace %q", info.Namespace)
	} else {
		msg += " at the cluster scope"
	}
	if reason != "" {
		msg += ": " + reason
	}
	gr := schema.GroupResource{Group: info.APIGroup, Resource: resource}
	return apierrors.NewForbidden(gr, info.Name, fmt.Errorf("%s", msg))
}

// route sends a request to the handler for its path.
func (s *Server) route(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
	path := r.URL.Path
	switch {
	case info.IsResourceRequest:
		s.serveResource(w, r, info)
	case path == "/api" || path == "/api/" || path == "/apis" || path == "/apis/" ||
		strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/apis/"):
		s.discovery.serve(w, r)
	case path == "/version" || path == "/version/":
		s.serveVersion(w, r)
	case path == "/healthz" || path == "/livez" || path == "/readyz" ||
		strings.HasPrefix(path, "/healthz/") || strings.HasPrefix(path, "/livez/") || strings.HasPrefix(path, "/readyz/"):
		s.serveHealth(w, r)
	case strings.HasPrefix(path, "/openapi/") && s.cfg.OpenAPI != nil:
		s.cfg.OpenAPI.ServeHTTP(w, r)
	case path == "/":
		s.serveRootPaths(w, r)
	case s.nonResource[path] != nil:
		s.nonResource[path].ServeHTTP(w, r)
	default:
		writeError(w, r, apierrors.NewNotFound(schema.GroupResource{}, ""))
	}
}

// serveResource finds the resource's handler, or answers 404 as upstream
// does for an unknown resource.
func (s *Server) serveResource(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
	if info.Resource == "componentstatuses" && info.APIGroup == "" && info.APIVersion == "v1" {
		s.serveComponentStatuses(w, r, info)
		return
	}
	h := s.handlers[handlerKey(info.APIGroup, info.APIVersion, info.Resource)]
	if h == nil && s.serveExternal(w, r, info) {
		return
	}
	if h == nil {
		writeError(w, r, apierrors.NewNotFound(schema.GroupResource{Group: info.APIGroup, Resource: info.Resource}, ""))
		return
	}
	if !h.res.Namespaced && info.Namespace != "" && info.Resource != "namespaces" {
		writeError(w, r, apierrors.NewNotFound(schema.GroupResource{Group: info.APIGroup, Resource: info.Resource}, ""))
		return
	}
	h.serve(w, r, info)
}
