package apiserver

import (
	"context"
	"net/http"
	"strings"

	"k8s.io/apimachinery/pkg/api/validation/path"
	"k8s.io/apimachinery/pkg/fields"
)

// RequestInfo is what the URL and method of a request say: which verb on
// which resource. Every pipeline stage (authorization, admission, the REST
// handler, audit) reads it instead of parsing the URL again.
type RequestInfo struct {
	IsResourceRequest bool
	Path              string
	// Verb is the Kubernetes verb: get, list, watch, create, update, patch,
	// delete, deletecollection; or the lower-cased HTTP method for
	// non-resource requests.
	Verb        string
	APIPrefix   string // "api" or "apis"
	APIGroup    string
	APIVersion  string
	Namespace   string
	Resource    string
	Subresource string
	Name        string
	Parts       []string
}

type requestInfoKey struct{}

// WithRequestInfo stores info in ctx.
func WithRequestInfo(ctx context.Context, info *RequestInfo) context.Context {
	return context.WithValue(ctx, requestInfoKey{}, info)
}

// RequestInfoFrom returns the RequestInfo stored in ctx, if any.
func RequestInfoFrom(ctx context.Context) (*RequestInfo, bool) {
	info, ok := ctx.Value(requestInfoKey{}).(*RequestInfo)
	return info, ok
}

// ParseRequestInfo reads the verb and resource out of a request, following
// upstream's URL layout:
//
//	/api/v1/namespaces/{ns}/{resource}/{name}/{subresource}
//	/apis/{group}/{version}/{resource}/{name}
//	/api/v1/watch/namespaces/{ns}/{resource}   (deprecated watch prefix)
//
// Anything else is a non-resource request (/healthz, /version, /openapi/v2).
func ParseRequestInfo(r *http.Request) *RequestInfo {
	info := &RequestInfo{Path: r.URL.Path, Verb: strings.ToLower(r.Method)}
	parts := splitPath(r.URL.Path)
	if len(parts) < 3 || (parts[0] != "api" && parts[0] != "apis") {
		return info
	}
	info.APIPrefix = parts[0]
	parts = parts[1:]
	if info.APIPrefix == "apis" {
		if len(parts) < 2 {
			return info // /apis/{group} discovery
		}
		info.APIGroup, parts = parts[0], parts[1:]
	}
	info.APIVersion, parts = parts[0], parts[1:]
	if len(parts) == 0 {
		return info
	}
	info.IsResourceRequest = true
	switch r.Method {
	case http.MethodPost:
		info.Verb = "create"
	case http.MethodGet, http.MethodHead:
		info.Verb = "get"
	case http.MethodPut:
		info.Verb = "update"
	case http.MethodPatch:
		info.Verb = "patch"
	case http.MethodDelete:
		info.Verb = "delete"
	default:
		info.Verb = ""
	}
	if parts[0] == "watch" {
		parts = parts[1:]
		if info.Verb == "get" {
			info.Verb = "watch"
		}
	}
	if len(parts) == 0 {
		info.IsResourceRequest = false
		return info
	}
	// /namespaces/{ns}/{resource}/... scopes a namespaced resource; a
	// namespace's own paths (/namespaces/{name}[/status|/finalize]) name the
	// namespace object, whose Namespace is its own name as upstream has it.
	if parts[0] == "namespaces" && len(parts) > 1 {
		info.Namespace = parts[1]
		if len(parts) > 2 && !(len(parts) == 3 && isNamespaceSubresource(parts[2])) {
			parts = parts[2:]
		}
	}
	info.Parts = parts
	switch {
	case len(parts) >= 3:
		info.Subresource = parts[2]
		fallthrough
	case len(parts) == 2:
		info.Name = parts[1]
		fallthrough
	case len(parts) == 1:
		info.Resource = parts[0]
	}
	if info.Name == "" && info.Verb == "get" {
		info.Verb = "list"
		if q := r.URL.Query().Get("watch"); q == "true" || q == "1" {
			info.Verb = "watch"
		}
		// As upstream: a list or watch narrowed to one object by
		// fieldSelector=metadata.name=X is authorized as that name, so a
		// resourceNames rule allows `kubectl get pod x --watch`.
		info.Name = nameFromFieldSelector(r.URL.Query().Get("fieldSelector"))
	}
	if info.Name == "" && info.Verb == "delete" {
		info.Verb = "deletecollection"
	}
	return info
}

func isNamespaceSubresource(s string) bool {
	return s == "status" || s == "finalize"
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// nameFromFieldSelector is X in a field selector that requires
// metadata.name=X, when X could be a name at all; "" otherwise.
func nameFromFieldSelector(selector string) string {
	if selector == "" {
		return ""
	}
	fs, err := fields.ParseSelector(selector)
	if err != nil {
		return ""
	}
	name, ok := fs.RequiresExactMatch("metadata.name")
	if !ok || len(path.IsValidPathSegmentName(name)) > 0 {
		return ""
	}
	return name
}
