package serviceaccount

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// Config configures an Authenticator.
type Config struct {
	// Issuers are the iss values of bound tokens accepted; the first is
	// this server's. Legacy tokens (LegacyIssuer) are accepted besides.
	Issuers []string
	// Audiences are the API server's own audiences: a bound token must
	// name at least one. Empty means Issuers, as upstream defaults
	// --api-audiences to the issuer.
	Audiences []string
	// Keys verify signatures: the public half of the service-account key,
	// plus retired keys while their tokens may still be in use.
	Keys []crypto.PublicKey
	// Getter finds the service accounts, pods, secrets and nodes tokens
	// are bound to.
	Getter Getter
	// DisableLegacy rejects secret-based tokens outright.
	DisableLegacy bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Authenticator verifies service-account bearer tokens.
type Authenticator struct {
	issuers   map[string]bool
	audiences []string
	keys      []verifyKey
	getter    Getter
	legacy    bool
	now       func() time.Time
}

var _ authn.Authenticator = (*Authenticator)(nil)

// NewAuthenticator checks cfg and returns an Authenticator.
func NewAuthenticator(cfg Config) (*Authenticator, error) {
	if len(cfg.Issuers) == 0 {
		return nil, errors.New("at least one service-account token issuer is required")
	}
	if len(cfg.Keys) == 0 {
		return nil, errors.New("at least one service-account public key is required")
	}
	if cfg.Getter == nil {
		return nil, errors.New("a Getter is required: tokens are only valid while what they are bound to exists")
	}
	keys, err := newVerifyKeys(cfg.Keys)
	if err != nil {
		return nil, err
	}
	a := &Authenticator{
		issuers:   map[string]bool{},
		audiences: cfg.Audiences,
		keys:      keys,
		getter:    cfg.Getter,
		legacy:    !cfg.DisableLegacy,
		now:       cfg.Now,
	}
	for _, iss := range cfg.Issuers {
		a.issuers[iss] = true
	}
	if len(a.audiences) == 0 {
		a.audiences = cfg.Issuers
	}
	if a.now == nil {
		a.now = time.Now
	}
	return a, nil
}

// Authenticate implements authn.Authenticator for "Authorization: Bearer".
func (a *Authenticator) Authenticate(r *http.Request) (*authn.User, bool, error) {
	token, ok := BearerToken(r)
	if !ok {
		return nil, false, nil
	}
	return a.AuthenticateToken(r.Context(), token)
}

// BearerToken returns the token of an "Authorization: Bearer <token>"
// header, as upstream reads it (scheme case-insensitive, surrounding
// spaces ignored).
func BearerToken(r *http.Request) (string, bool) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// errInvalid is the answer for a token of ours that does not verify; the
// details stay out of the 401 (they would help a forger) but tests see the
// wrapped cause.
var errInvalid = errors.New("invalid bearer token")

// AuthenticateToken verifies one token (also the TokenReview entry point).
// ok=false with no error means the token is not a service-account token of
// this cluster and another authenticator may take it.
func (a *Authenticator) AuthenticateToken(_ context.Context, token string) (*authn.User, bool, error) {
	iss, ok := peekIssuer(token)
	if !ok {
		return nil, false, nil
	}
	legacy := iss == LegacyIssuer
	if !legacy && !a.issuers[iss] {
		return nil, false, nil
	}
	if legacy && !a.legacy {
		return nil, false, fmt.Errorf("%w: legacy service-account tokens are disabled", errInvalid)
	}
	tok, err := jwt.ParseSigned(token, signatureAlgorithms)
	if err != nil {
		return nil, false, nil
	}
	var public jwt.Claims
	var bound boundClaims
	var old legacyClaims
	private := any(&bound)
	if legacy {
		private = &old
	}
	if !a.verify(tok, &public, private) {
		return nil, false, fmt.Errorf("%w: signature does not verify", errInvalid)
	}

	var who *info
	if legacy {
		who, err = a.validateLegacy(token, &public, &old)
	} else {
		if err = a.checkAudience(public.Audience); err == nil {
			who, err = a.validateBound(&public, &bound)
		}
	}
	if err != nil {
		return nil, false, err
	}
	return who.user(), true, nil
}

// peekIssuer reads the iss claim without verifying anything, to tell our
// tokens from other JWTs (OIDC, another cluster's) before spending a
// signature check on them.
func peekIssuer(token string) (string, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", false
	}
	var claims struct {
		Issuer string `json:"iss"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil || claims.Issuer == "" {
		return "", false
	}
	return claims.Issuer, true
}

// verify checks the signature with the key the token names, or with every
// key when it names none of ours, and decodes the claims.
func (a *Authenticator) verify(tok *jwt.JSONWebToken, dest ...any) bool {
	kid := ""
	if len(tok.Headers) == 1 {
		kid = tok.Headers[0].KeyID
	}
	for _, k := range a.keys {
		if k.id == kid {
			return tok.Claims(k.key, dest...) == nil
		}
	}
	for _, k := range a.keys {
		if tok.Claims(k.key, dest...) == nil {
			return true
		}
	}
	return false
}

func (a *Authenticator) checkAudience(tokenAudiences jwt.Audience) error {
	for _, want := range a.audiences {
		if tokenAudiences.Contains(want) {
			return nil
		}
	}
	return fmt.Errorf("%w: token audiences %q is invalid for the target audiences %q", errInvalid, []string(tokenAudiences), a.audiences)
}
