// Package authorization describes the authorization.k8s.io/v1 reviews for
// the generic REST handler: SubjectAccessReview, LocalSubjectAccessReview,
// SelfSubjectAccessReview and SelfSubjectRulesReview. They are virtual
// resources (registry.Resource.Create): a review is a question put to the
// API server's authorizer chain, answered in the response and never stored.
// `kubectl auth can-i` asks a SelfSubjectAccessReview, `--list` a
// SelfSubjectRulesReview.
//
// The package holds what is per kind: upstream's validation and the
// translation between the review types and authz.Attributes. The authorizer
// and rule resolver it asks are handed in by internal/controlplane, which
// owns the chain; the user of a self review comes from the request
// (authn.UserFrom).
package authorization
