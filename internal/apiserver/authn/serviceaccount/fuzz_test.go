package serviceaccount

import (
	"strings"
	"testing"
	"time"
)

// FuzzAuthenticateToken feeds arbitrary bearer strings to the
// authenticator. Seeds are near misses (a token of another key, an expired
// token, one whose account is gone, truncations): no input may panic, and
// none may authenticate, since producing a valid signature is the one thing
// mutation cannot do.
func FuzzAuthenticateToken(f *testing.F) {
	e := newEnv(f)
	good := e.bound(f, toPod(e))
	legacy := e.legacy(f)
	forger, _ := NewIssuer(testIssuer, newKey(f))
	forged, _, _ := forger.Issue(TokenRequest{ServiceAccount: e.world.serviceAccounts["ns/builder"], Audiences: []string{testIssuer}, Expiration: time.Hour})
	// Break the real tokens' validity rather than their bytes: the clock
	// is past both expiry and leeway, and the legacy secret is gone.
	e.now = epoch.Add(48 * time.Hour)
	delete(e.world.secrets, "ns/builder-token")
	a := e.authenticator(f)

	for _, s := range []string{"", ".", "..", "a.b.c", "abcdef.0123456789abcdef", good, legacy, forged,
		good[:len(good)/2], strings.ReplaceAll(good, ".", ""), good + ".x", "e30.e30.e30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		u, ok, err := a.AuthenticateToken(t.Context(), token)
		if ok || u != nil {
			t.Fatalf("authenticated %q as %v (err %v)", token, u, err)
		}
	})
}
