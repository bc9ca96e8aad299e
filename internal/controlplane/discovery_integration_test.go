package controlplane_test

import (
	"encoding/json"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// TestIssuerDiscovery: a service account reads the issuer's OpenID
// configuration and key set (system:service-account-issuer-discovery), and
// a token from the TokenRequest API verifies with the published key, as a
// relying party outside the cluster would check it.
func TestIssuerDiscovery(t *testing.T) {
	s := server(t)
	ns := s.CreateNamespace(t)
	ctx := ctxFor(t)
	if _, err := s.Client().CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "relying"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	tr, err := s.Client().CoreV1().ServiceAccounts(ns).CreateToken(ctx, "relying",
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{Audiences: []string{"vault"}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sa := s.ClientFor(t, "system:serviceaccount:"+ns+":relying", "system:serviceaccounts", "system:serviceaccounts:"+ns)
	get := func(c kubernetes.Interface, path string, into any) {
		t.Helper()
		var raw []byte
		eventually(t, "GET "+path, func() (err error) {
			raw, err = c.Discovery().RESTClient().Get().AbsPath(path).DoRaw(ctx)
			return err
		})
		if err := json.Unmarshal(raw, into); err != nil {
			t.Fatalf("%s: %v: %s", path, err, raw)
		}
	}
	var config struct {
		Issuer  string   `json:"issuer"`
		JWKSURI string   `json:"jwks_uri"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	get(sa, "/.well-known/openid-configuration", &config)
	if config.Issuer != "https://kubernetes.default.svc.cluster.local" || config.JWKSURI != config.Issuer+"/openid/v1/jwks" || len(config.Algs) != 1 {
		t.Fatalf("configuration %+v", config)
	}
	var keys jose.JSONWebKeySet
	get(sa, "/openid/v1/jwks", &keys)

	tok, err := jwt.ParseSigned(tr.Status.Token, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(config.Algs[0])})
	if err != nil {
		t.Fatal(err)
	}
	found := keys.Key(tok.Headers[0].KeyID)
	if len(found) != 1 {
		t.Fatalf("no published key %q in %+v", tok.Headers[0].KeyID, keys)
	}
	var claims jwt.Claims
	if err := tok.Claims(found[0].Key, &claims); err != nil {
		t.Fatalf("token does not verify with the published key: %v", err)
	}
	if claims.Issuer != config.Issuer || !claims.Audience.Contains("vault") || claims.Subject != "system:serviceaccount:"+ns+":relying" {
		t.Fatalf("claims %+v", claims)
	}

	// Anonymous users are not given discovery, as upstream's default.
	anonymous := kubernetes.NewForConfigOrDie(s.AnonymousRESTConfig())
	if _, err := anonymous.Discovery().RESTClient().Get().AbsPath("/openid/v1/jwks").DoRaw(ctx); err == nil {
		t.Fatal("anonymous read the key set")
	}
}
