package apiserver

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/authn/serviceaccount"
	"github.com/hanok-dev/hanok/internal/apiserver/authz"
)

// Impersonation headers, as upstream names them (kubectl --as, --as-group,
// --as-uid).
const (
	impersonateUser        = "Impersonate-User"
	impersonateUID         = "Impersonate-Uid"
	impersonateGroup       = "Impersonate-Group"
	impersonateExtraPrefix = "Impersonate-Extra-"
)

// impersonate returns who a request acts as: its authenticated user, or,
// when it carries Impersonate-* headers, the user they name, once the
// authorizer allowed the real user to "impersonate" each part (the user or
// service account, every group, every extra value, the UID), as upstream's
// impersonation filter does. The headers are removed so nothing after
// acts on them twice. Without this, `kubectl --as` would silently run as
// the caller.
func (s *Server) impersonate(ctx context.Context, r *http.Request, user *authn.User) (*authn.User, error) {
	req, ok, err := impersonationRequest(r.Header)
	if err != nil || !ok {
		return user, err
	}
	for _, attrs := range req.checks(user) {
		if s.cfg.Authorizer == nil {
			break
		}
		if d, reason, err := s.cfg.Authorizer.Authorize(ctx, attrs); d != authz.Allow {
			if status := statusError(err); status != nil {
				return nil, status
			}
			return nil, forbidden(&RequestInfo{IsResourceRequest: true, Verb: attrs.Verb, APIGroup: attrs.APIGroup,
				Resource: attrs.Resource, Subresource: attrs.Subresource, Namespace: attrs.Namespace, Name: attrs.Name}, user, reason)
		}
	}
	for name := range r.Header {
		if isImpersonationHeader(name) {
			r.Header.Del(name)
		}
	}
	return req.user(), nil
}

// impersonation is what the headers ask to act as.
type impersonation struct {
	name   string
	uid    string
	groups []string
	extra  map[string][]string
}

func isImpersonationHeader(name string) bool {
	name = http.CanonicalHeaderKey(name)
	return name == impersonateUser || name == impersonateUID || name == impersonateGroup ||
		strings.HasPrefix(name, impersonateExtraPrefix)
}

// impersonationRequest reads the headers; ok is false when there are none.
func impersonationRequest(h http.Header) (impersonation, bool, error) {
	var req impersonation
	req.name = h.Get(impersonateUser)
	req.uid = h.Get(impersonateUID)
	req.groups = h.Values(impersonateGroup)
	for name, values := range h {
		key, ok := strings.CutPrefix(http.CanonicalHeaderKey(name), impersonateExtraPrefix)
		if !ok {
			continue
		}
		// Keys are percent-encoded and case-insensitive in a header name.
		key, err := url.PathUnescape(strings.ToLower(key))
		if err != nil {
			return req, false, apierrors.NewBadRequest(fmt.Sprintf("invalid impersonation extra key %q: %v", name, err))
		}
		if req.extra == nil {
			req.extra = map[string][]string{}
		}
		req.extra[key] = append(req.extra[key], values...)
	}
	if req.name == "" {
		if req.uid != "" || len(req.groups) > 0 || len(req.extra) > 0 {
			return req, false, apierrors.NewBadRequest("requested impersonation of groups, extra or uid without impersonating a user")
		}
		return req, false, nil
	}
	return req, true, nil
}

// checks are the authorizations impersonation needs, upstream's resources:
// users or serviceaccounts, groups, userextras/<key> and uids.
func (req impersonation) checks(actor *authn.User) []authz.Attributes {
	check := func(group, resource, sub, ns, name string) authz.Attributes {
		return authz.Attributes{User: actor, Verb: "impersonate", ResourceRequest: true, APIGroup: group,
			APIVersion: "v1", Resource: resource, Subresource: sub, Namespace: ns, Name: name}
	}
	var out []authz.Attributes
	if ns, name, err := serviceaccount.SplitUsername(req.name); err == nil {
		out = append(out, check("", "serviceaccounts", "", ns, name))
	} else {
		out = append(out, check("", "users", "", "", req.name))
	}
	for _, g := range req.groups {
		out = append(out, check("", "groups", "", "", g))
	}
	for key, values := range req.extra {
		for _, v := range values {
			out = append(out, check("authentication.k8s.io", "userextras", key, "", v))
		}
	}
	if req.uid != "" {
		out = append(out, check("authentication.k8s.io", "uids", "", "", req.uid))
	}
	return out
}

// user is the impersonated user, with the implicit groups upstream gives:
// a service account's own groups when none are asked for, and
// system:authenticated (system:unauthenticated for system:anonymous) unless
// one of the two was asked for.
func (req impersonation) user() *authn.User {
	groups := append([]string(nil), req.groups...)
	if ns, _, err := serviceaccount.SplitUsername(req.name); err == nil && len(groups) == 0 {
		groups = serviceaccount.Groups(ns)
	}
	implicit := authn.AllAuthenticated
	if req.name == authn.Anonymous {
		implicit = authn.AllUnauthenticated
	}
	has := false
	for _, g := range groups {
		if g == authn.AllUnauthenticated || g == implicit {
			has = true
		}
	}
	if !has {
		groups = append(groups, implicit)
	}
	return &authn.User{Name: req.name, UID: req.uid, Groups: groups, Extra: req.extra}
}
