package serviceaccount

import (
	"crypto"
	"errors"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/uuid"
)

// Issuer signs service-account tokens. It is safe for concurrent use.
type Issuer struct {
	issuer string
	signer jose.Signer
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// NewIssuer signs bound tokens as issuer with key (the pki bundle's
// ServiceKey: ECDSA P-256, P-384, P-521 or RSA).
func NewIssuer(issuer string, key crypto.Signer) (*Issuer, error) {
	if issuer == "" {
		return nil, errors.New("service-account token issuer must not be empty")
	}
	s, err := newSigner(key)
	if err != nil {
		return nil, err
	}
	return &Issuer{issuer: issuer, signer: s, Now: time.Now}, nil
}

// Issuer returns the iss claim of bound tokens.
func (i *Issuer) Issuer() string { return i.issuer }

// TokenRequest is what a bound token is for. The REST handler for
// serviceaccounts/token fills it after checking the request (expiration
// bounds, that the bound object exists and belongs to the account).
type TokenRequest struct {
	ServiceAccount *corev1.ServiceAccount
	Audiences      []string
	// Expiration is the token's lifetime from now.
	Expiration time.Duration
	// At most one of Pod and Secret; Node alone, or with Pod as the node
	// the pod runs on.
	Pod    *corev1.Pod
	Secret *corev1.Secret
	Node   *corev1.Node
	// WarnAfter, when set, is when an extended-lifetime token starts to
	// count as stale (upstream's kubelet tokens live a year but say when
	// they should have been refreshed).
	WarnAfter time.Duration
}

// Issue signs a bound token and returns it with its expiry.
func (i *Issuer) Issue(req TokenRequest) (token string, expires time.Time, err error) {
	sa := req.ServiceAccount
	if sa == nil || sa.Name == "" || sa.Namespace == "" || sa.UID == "" {
		return "", time.Time{}, errors.New("a token needs a stored service account (namespace, name and uid)")
	}
	if len(req.Audiences) == 0 {
		return "", time.Time{}, errors.New("a bound token needs at least one audience")
	}
	if req.Expiration <= 0 {
		return "", time.Time{}, errors.New("a bound token needs a positive expiration")
	}
	if req.Pod != nil && req.Secret != nil {
		return "", time.Time{}, errors.New("a token can be bound to a pod or a secret, not both")
	}
	now := i.Now()
	expires = now.Add(req.Expiration)
	public := jwt.Claims{
		Issuer:    i.issuer,
		Subject:   Username(sa.Namespace, sa.Name),
		Audience:  jwt.Audience(req.Audiences),
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		Expiry:    jwt.NewNumericDate(expires),
		ID:        string(uuid.NewUUID()),
	}
	private := boundClaims{Kubernetes: kubernetesClaims{
		Namespace:      sa.Namespace,
		ServiceAccount: ref{Name: sa.Name, UID: string(sa.UID)},
	}}
	k := &private.Kubernetes
	switch {
	case req.Pod != nil:
		k.Pod = &ref{Name: req.Pod.Name, UID: string(req.Pod.UID)}
		if req.Node != nil {
			k.Node = &ref{Name: req.Node.Name, UID: string(req.Node.UID)}
		}
	case req.Secret != nil:
		k.Secret = &ref{Name: req.Secret.Name, UID: string(req.Secret.UID)}
	case req.Node != nil:
		k.Node = &ref{Name: req.Node.Name, UID: string(req.Node.UID)}
	}
	if req.WarnAfter > 0 {
		k.WarnAfter = jwt.NewNumericDate(now.Add(req.WarnAfter))
	}
	token, err = jwt.Signed(i.signer).Claims(public).Claims(private).Serialize()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("signing token: %w", err)
	}
	return token, expires, nil
}

// IssueLegacy signs the token a service-account-token Secret holds: no
// audience, no expiry, valid while that Secret exists with this token in
// its "token" key.
func (i *Issuer) IssueLegacy(sa *corev1.ServiceAccount, secret *corev1.Secret) (string, error) {
	if sa == nil || secret == nil || sa.Name == "" || sa.Namespace == "" || sa.UID == "" || secret.Name == "" {
		return "", errors.New("a legacy token needs a stored service account and the name of its secret")
	}
	public := jwt.Claims{Issuer: LegacyIssuer, Subject: Username(sa.Namespace, sa.Name)}
	private := legacyClaims{
		Namespace:          sa.Namespace,
		ServiceAccountName: sa.Name,
		ServiceAccountUID:  string(sa.UID),
		SecretName:         secret.Name,
	}
	token, err := jwt.Signed(i.signer).Claims(public).Claims(private).Serialize()
	if err != nil {
		return "", fmt.Errorf("signing token: %w", err)
	}
	return token, nil
}
