package serviceaccount

import (
	"crypto"
	"encoding/base64"
	"errors"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

// env is one cluster: an issuer, the objects tokens bind to, a clock.
type env struct {
	issuer *Issuer
	world  *objects
	now    time.Time
	key    crypto.Signer
}

func newEnv(t testing.TB) *env {
	e := &env{world: world(), now: epoch, key: newKey(t)}
	iss, err := NewIssuer(testIssuer, e.key)
	if err != nil {
		t.Fatal(err)
	}
	iss.Now = func() time.Time { return epoch }
	e.issuer = iss
	return e
}

func (e *env) authenticator(t testing.TB, mutate ...func(*Config)) *Authenticator {
	t.Helper()
	cfg := Config{Issuers: []string{testIssuer}, Keys: []crypto.PublicKey{e.key.Public()}, Getter: e.world, Now: func() time.Time { return e.now }}
	for _, m := range mutate {
		m(&cfg)
	}
	a, err := NewAuthenticator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (e *env) bound(t testing.TB, mutate ...func(*TokenRequest)) string {
	t.Helper()
	req := TokenRequest{ServiceAccount: e.world.serviceAccounts["ns/builder"], Audiences: []string{testIssuer}, Expiration: time.Hour}
	for _, m := range mutate {
		m(&req)
	}
	tok, _, err := e.issuer.Issue(req)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (e *env) legacy(t testing.TB) string {
	t.Helper()
	tok, err := e.issuer.IssueLegacy(e.world.serviceAccounts["ns/builder"], e.world.secrets["ns/builder-token"])
	if err != nil {
		t.Fatal(err)
	}
	e.world.secrets["ns/builder-token"].Data = map[string][]byte{corev1.ServiceAccountTokenKey: []byte(tok)}
	return tok
}

func toPod(e *env) func(*TokenRequest) {
	return func(r *TokenRequest) { r.Pod, r.Node = e.world.pods["ns/web"], e.world.nodes["n1"] }
}

func TestAuthenticateToken(t *testing.T) {
	saUser := func(extra map[string][]string) *authn.User {
		return &authn.User{Name: "system:serviceaccount:ns:builder", UID: "sa-uid",
			Groups: []string{"system:serviceaccounts", "system:serviceaccounts:ns"}, Extra: extra}
	}
	deleted := func(ago time.Duration) *metav1.Time { t := metav1.NewTime(epoch.Add(-ago)); return &t }

	tests := []struct {
		name string
		// token builds the token and may change the world afterwards.
		token   func(t *testing.T, e *env) string
		config  func(*Config)
		want    *authn.User // nil: not authenticated
		wantErr string      // "" with want nil: not ours (ok=false, no error)
	}{
		{name: "pod-bound token", token: func(t *testing.T, e *env) string { return e.bound(t, toPod(e)) },
			want: saUser(map[string][]string{PodNameKey: {"web"}, PodUIDKey: {"pod-uid"}, NodeNameKey: {"n1"}, NodeUIDKey: {"node-uid"}, CredentialIDKey: {"JTI"}})},
		{name: "secret-bound token", token: func(t *testing.T, e *env) string {
			return e.bound(t, func(r *TokenRequest) { r.Secret = e.world.secrets["ns/builder-token"] })
		}, want: saUser(map[string][]string{CredentialIDKey: {"JTI"}})},
		{name: "node-bound token", token: func(t *testing.T, e *env) string {
			return e.bound(t, func(r *TokenRequest) { r.Node = e.world.nodes["n1"] })
		}, want: saUser(map[string][]string{NodeNameKey: {"n1"}, NodeUIDKey: {"node-uid"}, CredentialIDKey: {"JTI"}})},
		{name: "unbound token", token: func(t *testing.T, e *env) string { return e.bound(t) },
			want: saUser(map[string][]string{CredentialIDKey: {"JTI"}})},
		{name: "legacy token", token: func(t *testing.T, e *env) string { return e.legacy(t) }, want: saUser(nil)},

		{name: "expired", token: func(t *testing.T, e *env) string {
			tok := e.bound(t)
			e.now = epoch.Add(time.Hour + 2*time.Minute)
			return tok
		}, wantErr: "service account token has expired"},
		{name: "expired within leeway", token: func(t *testing.T, e *env) string {
			tok := e.bound(t)
			e.now = epoch.Add(time.Hour + 30*time.Second)
			return tok
		}, want: saUser(map[string][]string{CredentialIDKey: {"JTI"}})},
		{name: "not yet valid", token: func(t *testing.T, e *env) string {
			tok := e.bound(t)
			e.now = epoch.Add(-5 * time.Minute)
			return tok
		}, wantErr: "could not be validated"},
		{name: "other audience", token: func(t *testing.T, e *env) string {
			return e.bound(t, func(r *TokenRequest) { r.Audiences = []string{"vault"} })
		}, wantErr: `token audiences ["vault"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"]`},
		{name: "one of several audiences", token: func(t *testing.T, e *env) string {
			return e.bound(t, func(r *TokenRequest) { r.Audiences = []string{"vault", "api"} })
		}, config: func(c *Config) { c.Audiences = []string{"api"} }, want: saUser(map[string][]string{CredentialIDKey: {"JTI"}})},

		{name: "account deleted", token: func(t *testing.T, e *env) string {
			tok := e.bound(t)
			delete(e.world.serviceAccounts, "ns/builder")
			return tok
		}, wantErr: "service account ns/builder not found"},
		{name: "account recreated", token: func(t *testing.T, e *env) string {
			tok := e.bound(t)
			e.world.serviceAccounts["ns/builder"] = &corev1.ServiceAccount{ObjectMeta: meta("ns", "builder", "new-uid")}
			return tok
		}, wantErr: "service account UID (new-uid) does not match claim (sa-uid)"},
		{name: "account being deleted for a while", token: func(t *testing.T, e *env) string {
			tok := e.bound(t)
			e.world.serviceAccounts["ns/builder"].DeletionTimestamp = deleted(2 * time.Minute)
			return tok
		}, wantErr: "service account ns/builder has been deleted"},
		{name: "account just being deleted", token: func(t *testing.T, e *env) string {
			tok := e.bound(t)
			e.world.serviceAccounts["ns/builder"].DeletionTimestamp = deleted(10 * time.Second)
			return tok
		}, want: saUser(map[string][]string{CredentialIDKey: {"JTI"}})},
		{name: "pod deleted", token: func(t *testing.T, e *env) string {
			tok := e.bound(t, toPod(e))
			delete(e.world.pods, "ns/web")
			return tok
		}, wantErr: "pod ns/web not found"},
		{name: "pod recreated", token: func(t *testing.T, e *env) string {
			tok := e.bound(t, toPod(e))
			e.world.pods["ns/web"] = &corev1.Pod{ObjectMeta: meta("ns", "web", "other")}
			return tok
		}, wantErr: "pod UID (other) does not match claim (pod-uid)"},
		{name: "pod-bound token outlives its node", token: func(t *testing.T, e *env) string {
			tok := e.bound(t, toPod(e))
			delete(e.world.nodes, "n1")
			return tok
		}, want: saUser(map[string][]string{PodNameKey: {"web"}, PodUIDKey: {"pod-uid"}, NodeNameKey: {"n1"}, NodeUIDKey: {"node-uid"}, CredentialIDKey: {"JTI"}})},
		{name: "node deleted", token: func(t *testing.T, e *env) string {
			tok := e.bound(t, func(r *TokenRequest) { r.Node = e.world.nodes["n1"] })
			delete(e.world.nodes, "n1")
			return tok
		}, wantErr: "node n1 not found"},
		{name: "secret deleted", token: func(t *testing.T, e *env) string {
			tok := e.bound(t, func(r *TokenRequest) { r.Secret = e.world.secrets["ns/builder-token"] })
			delete(e.world.secrets, "ns/builder-token")
			return tok
		}, wantErr: "secret ns/builder-token not found"},

		{name: "legacy secret deleted", token: func(t *testing.T, e *env) string {
			tok := e.legacy(t)
			delete(e.world.secrets, "ns/builder-token")
			return tok
		}, wantErr: "Token has been invalidated"},
		{name: "legacy secret holds another token", token: func(t *testing.T, e *env) string {
			tok := e.legacy(t)
			e.world.secrets["ns/builder-token"].Data[corev1.ServiceAccountTokenKey] = []byte("rotated")
			return tok
		}, wantErr: "Token does not match server's copy"},
		{name: "legacy token marked invalid", token: func(t *testing.T, e *env) string {
			tok := e.legacy(t)
			e.world.secrets["ns/builder-token"].Labels = map[string]string{LegacyTokenInvalidSinceLabel: "2026-01-01"}
			return tok
		}, wantErr: "has been marked invalid"},
		{name: "legacy account recreated", token: func(t *testing.T, e *env) string {
			tok := e.legacy(t)
			e.world.serviceAccounts["ns/builder"].UID = "new-uid"
			return tok
		}, wantErr: "ServiceAccount UID (new-uid) does not match claim (sa-uid)"},
		{name: "legacy disabled", token: func(t *testing.T, e *env) string { return e.legacy(t) },
			config: func(c *Config) { c.DisableLegacy = true }, wantErr: "legacy service-account tokens are disabled"},

		{name: "forged with another key", token: func(t *testing.T, e *env) string {
			other, _ := NewIssuer(testIssuer, newKey(t))
			tok, _, _ := other.Issue(TokenRequest{ServiceAccount: e.world.serviceAccounts["ns/builder"], Audiences: []string{testIssuer}, Expiration: time.Hour})
			return tok
		}, wantErr: "signature does not verify"},
		{name: "payload swapped under a valid signature", token: func(t *testing.T, e *env) string {
			a := strings.Split(e.bound(t), ".")
			b := strings.Split(e.bound(t, toPod(e)), ".")
			return a[0] + "." + b[1] + "." + a[2]
		}, wantErr: "signature does not verify"},
		{name: "retired key still verifies", token: func(t *testing.T, e *env) string { return e.bound(t) },
			config: func(c *Config) { c.Keys = []crypto.PublicKey{newKey(t).Public(), c.Keys[0]} },
			want:   saUser(map[string][]string{CredentialIDKey: {"JTI"}})},
		{name: "another cluster's issuer", token: func(t *testing.T, e *env) string {
			other, _ := NewIssuer("https://elsewhere", newKey(t))
			tok, _, _ := other.Issue(TokenRequest{ServiceAccount: e.world.serviceAccounts["ns/builder"], Audiences: []string{testIssuer}, Expiration: time.Hour})
			return tok
		}},
		{name: "alg none", token: func(t *testing.T, e *env) string {
			enc := base64.RawURLEncoding.EncodeToString
			return enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(`{"iss":"`+testIssuer+`","sub":"system:serviceaccount:ns:builder"}`)) + "."
		}},
		{name: "bootstrap token", token: func(*testing.T, *env) string { return "abcdef.0123456789abcdef" }},
		{name: "garbage", token: func(*testing.T, *env) string { return "not a token" }},
		{name: "cache failure", token: func(t *testing.T, e *env) string {
			tok := e.bound(t)
			e.world.err = errors.New("cache not synced")
			return tok
		}, wantErr: "looking up service account ns/builder: cache not synced"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			token := tc.token(t, e)
			var mutate []func(*Config)
			if tc.config != nil {
				mutate = append(mutate, tc.config)
			}
			u, ok, err := e.authenticator(t, mutate...).AuthenticateToken(t.Context(), token)
			switch {
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || ok || u != nil {
					t.Fatalf("got (%v, %v, %v), want error containing %q", u, ok, err, tc.wantErr)
				}
			case tc.want == nil:
				if ok || err != nil || u != nil {
					t.Fatalf("got (%v, %v, %v), want not ours", u, ok, err)
				}
			default:
				if !ok || err != nil {
					t.Fatalf("got (%v, %v, %v), want %v", u, ok, err, tc.want)
				}
				if jti := u.Extra[CredentialIDKey]; len(jti) == 1 && strings.HasPrefix(jti[0], "JTI=") {
					u.Extra[CredentialIDKey] = []string{"JTI"}
				}
				if !reflect.DeepEqual(u, tc.want) {
					t.Fatalf("user\n got %+v\nwant %+v", u, tc.want)
				}
			}
		})
	}
}

func TestAuthenticateRequest(t *testing.T) {
	e := newEnv(t)
	a := e.authenticator(t)
	token := e.bound(t)
	for _, h := range []string{"Bearer " + token, "bearer  " + token + " ", "BEARER " + token} {
		r := httptest.NewRequest("GET", "/api", nil)
		r.Header.Set("Authorization", h)
		if u, ok, err := a.Authenticate(r); !ok || err != nil || u.Name != "system:serviceaccount:ns:builder" {
			t.Errorf("%q: %v %v %v", h, u, ok, err)
		}
	}
	for _, h := range []string{"", "Basic abc", "Bearer", "Bearer   ", token} {
		r := httptest.NewRequest("GET", "/api", nil)
		r.Header.Set("Authorization", h)
		if _, ok, err := a.Authenticate(r); ok || err != nil {
			t.Errorf("%q: %v %v", h, ok, err)
		}
	}
}

func TestNewAuthenticatorNeedsEverything(t *testing.T) {
	k := newKey(t).Public()
	for name, cfg := range map[string]Config{
		"no issuer": {Keys: []crypto.PublicKey{k}, Getter: world()},
		"no key":    {Issuers: []string{testIssuer}, Getter: world()},
		"no getter": {Issuers: []string{testIssuer}, Keys: []crypto.PublicKey{k}},
		"bad key":   {Issuers: []string{testIssuer}, Keys: []crypto.PublicKey{"secret"}, Getter: world()},
	} {
		if _, err := NewAuthenticator(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestUsernames(t *testing.T) {
	for _, tc := range []struct {
		in       string
		ns, name string
		ok       bool
	}{
		{"system:serviceaccount:ns:sa", "ns", "sa", true},
		{"system:serviceaccount:ns", "", "", false},
		{"system:serviceaccount::sa", "", "", false},
		{"system:serviceaccount:ns:sa:x", "", "", false},
		{"system:node:n1", "", "", false},
	} {
		ns, name, err := SplitUsername(tc.in)
		if ns != tc.ns || name != tc.name || (err == nil) != tc.ok {
			t.Errorf("SplitUsername(%q) = %q %q %v", tc.in, ns, name, err)
		}
	}
}
