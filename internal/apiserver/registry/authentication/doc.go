// Package authentication describes the authentication.k8s.io/v1 kinds the
// API server computes rather than stores: TokenReview (is this bearer token
// valid, and whose is it?), SelfSubjectReview (who am I? - `kubectl auth
// whoami`) and the TokenRequest of serviceaccounts/token (`kubectl create
// token`), whose defaults, validation and lifetime rules live here while
// internal/controlplane looks up the account and signs the token.
//
// TokenReview and SelfSubjectReview are virtual resources
// (registry.Resource.Create). The token authenticator a TokenReview asks is
// handed in by internal/controlplane; the user of a SelfSubjectReview is
// the requesting user (authn.UserFrom).
package authentication
