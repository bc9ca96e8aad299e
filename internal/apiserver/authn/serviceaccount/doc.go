// Package serviceaccount issues and verifies service-account tokens: JWTs
// signed with the server's service-account key (internal/pki's service.key,
// ECDSA or RSA), in upstream's two shapes.
//
//   - Bound tokens (TokenRequest, projected volumes): issuer
//     https://kubernetes.default.svc.<domain>, audiences, expiry, and a
//     "kubernetes.io" claim naming the namespace, the service account and
//     what the token is bound to (a pod, and its node; a secret; or a node),
//     each by name and UID.
//   - Legacy secret tokens: issuer kubernetes/serviceaccount, no expiry,
//     flat kubernetes.io/serviceaccount/* claims, valid while the Secret
//     holding them exists and still holds the same token.
//
// The Authenticator takes bearer tokens, leaves tokens from other issuers
// to other authenticators (ok=false, no error), and rejects a token of ours
// that is forged, expired, for another audience, or whose service account,
// pod, secret or node is gone or was replaced (UID differs) - an error, so
// the request fails with 401 rather than falling through to anonymous.
// Objects are read through the Getter interface (informer listers via
// ListerGetter), so the package runs without a server.
//
// The user it returns is upstream's: system:serviceaccount:<ns>:<name>, the
// account UID, groups system:serviceaccounts and system:serviceaccounts:<ns>,
// and extra keys for the bound pod, node and the token's ID.
package serviceaccount
