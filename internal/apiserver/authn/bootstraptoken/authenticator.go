package bootstraptoken

import (
	"context"
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	corelisters "k8s.io/client-go/listers/core/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// SecretGetter finds Secrets in kube-system; the kube-system
// corelisters.SecretNamespaceLister (lister.Secrets("kube-system"))
// satisfies it.
type SecretGetter interface {
	Get(name string) (*corev1.Secret, error)
}

var _ SecretGetter = corelisters.SecretNamespaceLister(nil)

// Authenticator verifies bootstrap tokens.
type Authenticator struct {
	secrets SecretGetter
	// Now is the clock; tests replace it.
	Now func() time.Time
}

var _ authn.Authenticator = (*Authenticator)(nil)

// New returns an Authenticator reading token Secrets from secrets.
func New(secrets SecretGetter) *Authenticator {
	return &Authenticator{secrets: secrets, Now: time.Now}
}

// Authenticate implements authn.Authenticator for "Authorization: Bearer".
func (a *Authenticator) Authenticate(r *http.Request) (*authn.User, bool, error) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return nil, false, nil
	}
	return a.AuthenticateToken(r.Context(), strings.TrimSpace(token))
}

// AuthenticateToken returns the bootstrap user of a valid token; ok=false
// for anything else. err is set only when the Secret could not be read.
func (a *Authenticator) AuthenticateToken(_ context.Context, token string) (*authn.User, bool, error) {
	id, secret, err := Parse(token)
	if err != nil {
		return nil, false, nil
	}
	s, err := a.secrets.Get(SecretPrefix + id)
	if apierrors.IsNotFound(err) || err == nil && s == nil {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if s.DeletionTimestamp != nil || s.Type != SecretType || s.Data == nil {
		return nil, false, nil
	}
	if subtle.ConstantTimeCompare(s.Data[KeyTokenSecret], []byte(secret)) != 1 {
		return nil, false, nil
	}
	if string(s.Data[KeyTokenID]) != id {
		return nil, false, nil
	}
	if expired(s, a.Now()) {
		return nil, false, nil
	}
	if string(s.Data[KeyUsageAuth]) != "true" {
		return nil, false, nil
	}
	groups, ok := groups(s)
	if !ok {
		return nil, false, nil
	}
	return &authn.User{Name: UserPrefix + id, Groups: groups}, true, nil
}

// expired: past its expiration, or with one that does not parse (a token
// whose lifetime cannot be read must not live forever).
func expired(s *corev1.Secret, now time.Time) bool {
	raw := string(s.Data[KeyExpiration])
	if raw == "" {
		return false
	}
	t, err := time.Parse(time.RFC3339, raw)
	return err != nil || now.After(t)
}

// groups is system:bootstrappers plus the valid extra groups, sorted and
// de-duplicated as upstream returns them; any invalid extra group makes the
// token unusable.
func groups(s *corev1.Secret) ([]string, bool) {
	out := []string{DefaultGroup}
	if extra := string(s.Data[KeyAuthExtraGroups]); extra != "" {
		for _, g := range strings.Split(extra, ",") {
			if !extraGroupPattern.MatchString(g) {
				return nil, false
			}
			out = append(out, g)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), true
}
