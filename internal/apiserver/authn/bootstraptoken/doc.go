// Package bootstraptoken authenticates bootstrap ("join") tokens, the
// credential a new agent presents before it has node credentials: a bearer
// token <id>.<secret> ([a-z0-9]{6}.[a-z0-9]{16}) matched against the Secret
// bootstrap-token-<id> of type bootstrap.kubernetes.io/token in kube-system,
// as upstream and kubeadm store them. A token authenticates as
// system:bootstrap:<id> in group system:bootstrappers plus the Secret's
// auth-extra-groups, while the Secret allows authentication
// (usage-bootstrap-authentication=true) and has not expired.
//
// Like upstream, a bearer string that is not a bootstrap token, or a token
// that does not match, is not an error here (ok=false): bootstrap tokens
// share the Authorization header with other tokens, and which one failed is
// nobody's business but the caller's, who answers 401 for a bearer token no
// authenticator took. Secrets come through SecretGetter (the kube-system
// Secret lister). The secret half is compared in constant time.
//
// The join flow itself (what such a user may do: create a CSR or fetch its
// node credentials) belongs to the multi-node work; Generate and NewSecret
// make tokens for it.
package bootstraptoken
