package authn

import (
	"errors"
	"net/http"
	"strings"
)

// ErrInvalidBearerToken is the answer to a bearer token no authenticator
// took.
var ErrInvalidBearerToken = errors.New("invalid bearer token")

// RejectBearer goes last in the chain: a request that presents a bearer
// token none of the authenticators before it accepted is refused (401). The
// token plugins leave tokens that are not theirs alone (ok=false, no error)
// so that the next one may try; without this, a mistyped or revoked token
// would be served as system:anonymous, as upstream never does.
type RejectBearer struct{}

// Authenticate implements Authenticator.
func (RejectBearer) Authenticate(r *http.Request) (*User, bool, error) {
	if _, ok := bearerToken(r); ok {
		return nil, false, ErrInvalidBearerToken
	}
	return nil, false, nil
}

// bearerToken reads "Authorization: Bearer <token>" as upstream does:
// scheme case-insensitive, surrounding spaces ignored. (The token plugins
// have their own copy; they cannot import this package's users.)
func bearerToken(r *http.Request) (string, bool) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// HasBearerToken tells whether r carries a bearer token at all.
func HasBearerToken(r *http.Request) bool {
	_, ok := bearerToken(r)
	return ok
}
