package serviceaccount

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func decodePart(t *testing.T, token string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestIssueBoundClaims(t *testing.T) {
	key := newKey(t)
	iss, err := NewIssuer(testIssuer, key)
	if err != nil {
		t.Fatal(err)
	}
	iss.Now = func() time.Time { return epoch }
	w := world()
	token, exp, err := iss.Issue(TokenRequest{
		ServiceAccount: w.serviceAccounts["ns/builder"], Audiences: []string{"api", "vault"},
		Expiration: time.Hour, Pod: w.pods["ns/web"], Node: w.nodes["n1"], WarnAfter: 10 * time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !exp.Equal(epoch.Add(time.Hour)) {
		t.Errorf("expiry %v", exp)
	}
	kid, _ := KeyID(key.Public())
	header := decodePart(t, token, 0)
	if header["alg"] != "ES256" || header["kid"] != kid || header["typ"] != "JWT" {
		t.Errorf("header %v", header)
	}
	c := decodePart(t, token, 1)
	now := float64(epoch.Unix())
	want := map[string]any{
		"iss": testIssuer, "sub": "system:serviceaccount:ns:builder", "aud": []any{"api", "vault"},
		"iat": now, "nbf": now, "exp": now + 3600, "jti": c["jti"],
		"kubernetes.io": map[string]any{
			"namespace":      "ns",
			"serviceaccount": map[string]any{"name": "builder", "uid": "sa-uid"},
			"pod":            map[string]any{"name": "web", "uid": "pod-uid"},
			"node":           map[string]any{"name": "n1", "uid": "node-uid"},
			"warnafter":      now + 600,
		},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("claims\n got %v\nwant %v", c, want)
	}
	if jti, _ := c["jti"].(string); len(jti) != 36 {
		t.Errorf("jti %q is not a UUID", c["jti"])
	}
}

func TestIssueLegacyClaims(t *testing.T) {
	iss, err := NewIssuer(testIssuer, newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	w := world()
	token, err := iss.IssueLegacy(w.serviceAccounts["ns/builder"], w.secrets["ns/builder-token"])
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"iss": "kubernetes/serviceaccount", "sub": "system:serviceaccount:ns:builder",
		"kubernetes.io/serviceaccount/namespace":            "ns",
		"kubernetes.io/serviceaccount/service-account.name": "builder",
		"kubernetes.io/serviceaccount/service-account.uid":  "sa-uid",
		"kubernetes.io/serviceaccount/secret.name":          "builder-token",
	}
	if c := decodePart(t, token, 1); !reflect.DeepEqual(c, want) {
		t.Errorf("claims\n got %v\nwant %v", c, want)
	}
}

func TestIssueRefusesIncompleteRequests(t *testing.T) {
	iss, _ := NewIssuer(testIssuer, newKey(t))
	w := world()
	sa := w.serviceAccounts["ns/builder"]
	tests := map[string]TokenRequest{
		"no account":     {Audiences: []string{"a"}, Expiration: time.Hour},
		"no audience":    {ServiceAccount: sa, Expiration: time.Hour},
		"no expiration":  {ServiceAccount: sa, Audiences: []string{"a"}},
		"pod and secret": {ServiceAccount: sa, Audiences: []string{"a"}, Expiration: time.Hour, Pod: w.pods["ns/web"], Secret: w.secrets["ns/builder-token"]},
	}
	for name, req := range tests {
		if _, _, err := iss.Issue(req); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := NewIssuer("", newKey(t)); err == nil {
		t.Error("empty issuer accepted")
	}
}

func TestRSAKeys(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	iss, err := NewIssuer(testIssuer, key)
	if err != nil {
		t.Fatal(err)
	}
	w := world()
	token, _, err := iss.Issue(TokenRequest{ServiceAccount: w.serviceAccounts["ns/builder"], Audiences: []string{testIssuer}, Expiration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if alg := decodePart(t, token, 0)["alg"]; alg != "RS256" {
		t.Errorf("alg %v", alg)
	}
	a, err := NewAuthenticator(Config{Issuers: []string{testIssuer}, Keys: []crypto.PublicKey{key.Public()}, Getter: w})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := a.AuthenticateToken(t.Context(), token); !ok || err != nil {
		t.Errorf("RSA token: %v %v", ok, err)
	}
}
