package serviceaccount

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/go-jose/go-jose/v4/jwt"
)

// ForAudiences returns a copy of a that accepts bound tokens naming any of
// audiences instead of the API server's own. TokenReview uses it: a webhook
// or an aggregated server asks whether a token was meant for it.
func (a *Authenticator) ForAudiences(audiences []string) *Authenticator {
	c := *a
	c.audiences = append([]string(nil), audiences...)
	return &c
}

// Audiences returns the API server's own audiences, which bound tokens
// must name and TokenRequest gives tokens by default.
func (a *Authenticator) Audiences() []string { return append([]string(nil), a.audiences...) }

// TokenAudiences reads the aud claim of a token without verifying it: call
// it only on a token AuthenticateToken accepted. Legacy tokens have none.
func TokenAudiences(token string) []string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	var claims struct {
		Audience jwt.Audience `json:"aud"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return nil
	}
	return claims.Audience
}
