package authentication

import (
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Token lifetimes, as upstream has them.
const (
	// DefaultExpirationSeconds is a token's lifetime when the request names
	// none (the v1 API's default).
	DefaultExpirationSeconds = int64(60 * 60)
	// MinExpiration is the shortest lifetime a TokenRequest may ask for.
	MinExpiration = 10 * time.Minute
	// WarnOnlyExpirationSeconds is what kubelets ask for a pod's projected
	// token (an hour and 7 s): such a token, bound to a pod and meant for
	// the API server, lives ExtendedExpiration, but names the hour as when
	// it should have been refreshed, so clients that never refresh keep
	// working while the server can tell them apart.
	WarnOnlyExpirationSeconds = int64(60*60 + 7)
	// ExtendedExpiration is the lifetime of such tokens.
	ExtendedExpiration = 365 * 24 * time.Hour
)

// DefaultTokenRequest fills what a TokenRequest leaves out: the API
// server's audiences and an hour's lifetime.
func DefaultTokenRequest(req *authenticationv1.TokenRequest, apiAudiences []string) {
	if len(req.Spec.Audiences) == 0 {
		req.Spec.Audiences = append([]string(nil), apiAudiences...)
	}
	if req.Spec.ExpirationSeconds == nil {
		s := DefaultExpirationSeconds
		req.Spec.ExpirationSeconds = &s
	}
}

// ValidateTokenRequest checks a defaulted TokenRequest for the service
// account name/namespace in the URL, with upstream's messages.
func ValidateTokenRequest(req *authenticationv1.TokenRequest, name, namespace string) field.ErrorList {
	var errs field.ErrorList
	if req.Name != "" && req.Name != name {
		errs = append(errs, field.Invalid(field.NewPath("metadata", "name"), req.Name, "must match the service account name if specified"))
	}
	if req.Namespace != "" && req.Namespace != namespace {
		errs = append(errs, field.Invalid(field.NewPath("metadata", "namespace"), req.Namespace, "must match the service account namespace if specified"))
	}
	specPath := field.NewPath("spec")
	if exp := req.Spec.ExpirationSeconds; exp != nil {
		if *exp < int64(MinExpiration.Seconds()) {
			errs = append(errs, field.Invalid(specPath.Child("expirationSeconds"), *exp, "may not specify a duration less than 10 minutes"))
		}
		if *exp > 1<<32 {
			errs = append(errs, field.Invalid(specPath.Child("expirationSeconds"), *exp, "may not specify a duration larger than 2^32 seconds"))
		}
	}
	for i, aud := range req.Spec.Audiences {
		if aud == "" {
			errs = append(errs, field.Invalid(specPath.Child("audiences").Index(i), aud, "may not be empty"))
		}
	}
	if ref := req.Spec.BoundObjectRef; ref != nil {
		refPath := specPath.Child("boundObjectRef")
		if ref.Name == "" {
			errs = append(errs, field.Required(refPath.Child("name"), ""))
		}
		if ref.Kind == "" {
			errs = append(errs, field.Required(refPath.Child("kind"), ""))
		}
	}
	return errs
}

// Lifetime is how long a requested token really lives, and from when it
// counts as stale (zero: never before it expires). Only the kubelet's
// pod-bound tokens for the API server are extended (see
// WarnOnlyExpirationSeconds); extend=false turns that off.
func Lifetime(req *authenticationv1.TokenRequest, podBound bool, apiAudiences []string, extend bool) (expiration, warnAfter time.Duration) {
	requested := time.Duration(*req.Spec.ExpirationSeconds) * time.Second
	if extend && podBound && *req.Spec.ExpirationSeconds == WarnOnlyExpirationSeconds && subset(req.Spec.Audiences, apiAudiences) {
		return ExtendedExpiration, requested
	}
	return requested, 0
}

// subset tells whether every one of a is in b.
func subset(a, b []string) bool {
	for _, x := range a {
		found := false
		for _, y := range b {
			if x == y {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
