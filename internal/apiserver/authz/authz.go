// Package authz holds the API server's authorization plugins. Each answers
// one question: may this authenticated user perform this verb on this
// resource (or non-resource path)? Plugins are asked in order; the first
// Allow or Deny decides, and if none has an opinion the request is denied.
package authz

import (
	"context"
	"errors"
	"strings"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// Decision is an authorizer's answer.
type Decision int

const (
	NoOpinion Decision = iota
	Allow
	Deny
)

// Attributes describe one request to authorize.
type Attributes struct {
	User            *authn.User
	Verb            string
	ResourceRequest bool
	// Resource requests
	APIGroup, APIVersion, Resource, Subresource, Namespace, Name string
	// Non-resource requests
	Path string
}

// Authorizer decides on a request; reason explains a Deny or Allow.
type Authorizer interface {
	Authorize(ctx context.Context, a Attributes) (d Decision, reason string, err error)
}

// Union asks each authorizer in order, as upstream's union does: the first
// Allow or Deny decides; an error does not stop the chain (a later plugin
// may still allow), but is returned with the final NoOpinion, as are the
// reasons every plugin gave, so a 403 can say why (the Node authorizer's
// "no relationship found between node ..." for instance).
type Union []Authorizer

// Authorize implements Authorizer.
func (u Union) Authorize(ctx context.Context, a Attributes) (Decision, string, error) {
	var reasons []string
	var errs []error
	for _, z := range u {
		d, reason, err := z.Authorize(ctx, a)
		if d != NoOpinion {
			return d, reason, err
		}
		if reason != "" {
			reasons = append(reasons, reason)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return NoOpinion, strings.Join(reasons, "\n"), errors.Join(errs...)
}
