package controlplane_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/hanok-dev/hanok/internal/apiserver/authn/bootstraptoken"
)

// TestUnauthenticated: no credential is system:anonymous, served only what
// RBAC grants it (health and version); any credential that does not hold up
// is a 401, whatever the path.
func TestUnauthenticated(t *testing.T) {
	s := server(t)
	foreignCert := otherCAClientCert(t, "mallory", "system:masters")
	tests := []struct {
		name     string
		path     string
		bearer   string
		cert     *tls.Certificate
		wantCode int
	}{
		{"anonymous health", "/healthz", "", nil, 200},
		{"anonymous readiness", "/readyz", "", nil, 200},
		{"anonymous liveness", "/livez", "", nil, 200},
		{"anonymous version", "/version", "", nil, 200},
		{"anonymous namespaces", "/api/v1/namespaces", "", nil, 401},
		{"anonymous discovery", "/apis", "", nil, 401},
		{"bad bearer token", "/api/v1/namespaces", "not-a-token", nil, 401},
		{"bad bearer token on health", "/healthz", "not-a-token", nil, 401},
		{"forged service-account token", "/api/v1/namespaces", forgedJWT, nil, 401},
		{"unknown bootstrap token", "/api/v1/namespaces", "abcdef.0123456789abcdef", nil, 401},
		{"client certificate from another CA", "/api/v1/namespaces", "", &foreignCert, 401},
		{"client certificate from another CA, health", "/healthz", "", &foreignCert, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := rawGet(t, s.AnonymousRESTConfig(), tt.path, tt.bearer, tt.cert)
			if code != tt.wantCode {
				t.Fatalf("%s: %d %s", tt.path, code, body)
			}
			if code == 401 && !strings.Contains(body, `"message":"Unauthorized"`) {
				t.Fatalf("401 body %s", body)
			}
		})
	}
}

// forgedJWT claims our issuer but is signed by nobody we know.
const forgedJWT = "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9." +
	"eyJpc3MiOiJodHRwczovL2t1YmVybmV0ZXMuZGVmYXVsdC5zdmMuY2x1c3Rlci5sb2NhbCIsInN1YiI6InN5c3RlbTpzZXJ2aWNlYWNjb3VudDpkZWZhdWx0OmRlZmF1bHQiLCJhdWQiOlsiaHR0cHM6Ly9rdWJlcm5ldGVzLmRlZmF1bHQuc3ZjLmNsdXN0ZXIubG9jYWwiXX0." +
	"c2lnbmF0dXJl"

// rawGet sends one GET with the given credential and returns the status and body.
func rawGet(t *testing.T, cfg *rest.Config, path, bearer string, cert *tls.Certificate) (int, string) {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(cfg.TLSClientConfig.CAData)
	tlsCfg := &tls.Config{RootCAs: pool}
	if cert != nil {
		// Sent whatever CAs the server says it accepts, as a client that
		// does not check would (Go's own picks none from another CA).
		tlsCfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg}}
	req, err := http.NewRequest("GET", cfg.Host+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// otherCAClientCert is a client certificate from a CA the server does not trust.
func otherCAClientCert(t *testing.T, cn, org string) tls.Certificate {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "other-ca"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: cn, Organization: []string{org}},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	cert, err := tls.X509KeyPair(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// whoami asks SelfSubjectReview as cfg's user.
func whoami(t testing.TB, cfg *rest.Config) (authenticationv1.UserInfo, error) {
	t.Helper()
	out, err := newClientset(t, cfg).AuthenticationV1().SelfSubjectReviews().Create(ctxFor(t), &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		return authenticationv1.UserInfo{}, err
	}
	return out.Status.UserInfo, nil
}

func TestWhoAmI(t *testing.T) {
	s := server(t)
	tests := []struct {
		name       string
		cfg        *rest.Config
		wantUser   string
		wantGroups []string
	}{
		{"admin", s.RESTConfig(), "system:admin", []string{"system:masters", "system:authenticated"}},
		{"a user certificate", s.RESTConfigFor(t, "jane", "dev", "ops"), "jane", []string{"dev", "ops", "system:authenticated"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := whoami(t, tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if info.Username != tt.wantUser || strings.Join(info.Groups, ",") != strings.Join(tt.wantGroups, ",") {
				t.Fatalf("got %+v", info)
			}
		})
	}
}

// TestTokenRequest: `kubectl create token`'s API. The token works as its
// service account until the account (or what the token is bound to) is gone.
func TestTokenRequest(t *testing.T) {
	s := server(t)
	admin := s.Client()
	ns := s.CreateNamespace(t)
	ctx := ctxFor(t)
	sa, err := admin.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "builder"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	request := func(spec authenticationv1.TokenRequestSpec) (*authenticationv1.TokenRequest, error) {
		return admin.CoreV1().ServiceAccounts(ns).CreateToken(ctx, "builder", &authenticationv1.TokenRequest{Spec: spec}, metav1.CreateOptions{})
	}
	tokenConfig := func(token string) *rest.Config {
		cfg := s.AnonymousRESTConfig()
		cfg.BearerToken = token
		return cfg
	}

	// Unbound, defaults: an hour, for the API server.
	before := time.Now()
	tr, err := request(authenticationv1.TokenRequestSpec{})
	if err != nil {
		t.Fatal(err)
	}
	if exp := tr.Status.ExpirationTimestamp.Sub(before); exp < 59*time.Minute || exp > 61*time.Minute {
		t.Errorf("expires in %v, want 1h", exp)
	}
	if *tr.Spec.ExpirationSeconds != 3600 || len(tr.Spec.Audiences) != 1 || tr.Spec.Audiences[0] != "https://kubernetes.default.svc.cluster.local" {
		t.Errorf("defaults %+v", tr.Spec)
	}
	info, err := whoami(t, tokenConfig(tr.Status.Token))
	if err != nil {
		t.Fatal(err)
	}
	wantUser := "system:serviceaccount:" + ns + ":builder"
	if info.Username != wantUser || info.UID != string(sa.UID) ||
		strings.Join(info.Groups, ",") != "system:serviceaccounts,system:serviceaccounts:"+ns+",system:authenticated" {
		t.Fatalf("token user %+v", info)
	}

	// TokenReview agrees, and tells a token meant for someone else.
	review := func(token string, auds ...string) authenticationv1.TokenReviewStatus {
		out, err := admin.AuthenticationV1().TokenReviews().Create(ctx, &authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: token, Audiences: auds}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return out.Status
	}
	if st := review(tr.Status.Token); !st.Authenticated || st.User.Username != wantUser {
		t.Errorf("token review %+v", st)
	}
	vault, err := request(authenticationv1.TokenRequestSpec{Audiences: []string{"vault"}})
	if err != nil {
		t.Fatal(err)
	}
	if st := review(vault.Status.Token, "vault"); !st.Authenticated || strings.Join(st.Audiences, ",") != "vault" {
		t.Errorf("vault token reviewed for vault: %+v", st)
	}
	if st := review(vault.Status.Token); st.Authenticated || st.Error == "" {
		t.Errorf("vault token reviewed for the API: %+v", st)
	}
	if code, _ := rawGet(t, s.AnonymousRESTConfig(), "/version", vault.Status.Token, nil); code != 401 {
		t.Errorf("vault token on the API: %d, want 401", code)
	}

	// Bad requests, as upstream refuses them.
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.PodSpec{ServiceAccountName: "builder", Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
	if pod, err = admin.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	other := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "other"}, Spec: corev1.PodSpec{ServiceAccountName: "default", Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
	if _, err = admin.CoreV1().Pods(ns).Create(ctx, other, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	short := int64(599)
	bad := []struct {
		name string
		spec authenticationv1.TokenRequestSpec
		is   func(error) bool
	}{
		{"under ten minutes", authenticationv1.TokenRequestSpec{ExpirationSeconds: &short}, apierrors.IsInvalid},
		{"pod of another account", authenticationv1.TokenRequestSpec{BoundObjectRef: &authenticationv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: "other"}}, apierrors.IsBadRequest},
		{"pod that was replaced", authenticationv1.TokenRequestSpec{BoundObjectRef: &authenticationv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: "web", UID: "nope"}}, apierrors.IsConflict},
		{"missing secret", authenticationv1.TokenRequestSpec{BoundObjectRef: &authenticationv1.BoundObjectReference{Kind: "Secret", APIVersion: "v1", Name: "missing"}}, apierrors.IsNotFound},
		{"a deployment", authenticationv1.TokenRequestSpec{BoundObjectRef: &authenticationv1.BoundObjectReference{Kind: "Deployment", APIVersion: "apps/v1", Name: "x"}}, apierrors.IsBadRequest},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := request(tt.spec); !tt.is(err) {
				t.Fatalf("got %v", err)
			}
		})
	}
	if _, err := admin.CoreV1().ServiceAccounts(ns).CreateToken(ctx, "nobody", &authenticationv1.TokenRequest{}, metav1.CreateOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("token for a missing account: %v, want 404", err)
	}

	// Bound to the pod: good until the pod goes.
	podBound, err := request(authenticationv1.TokenRequestSpec{BoundObjectRef: &authenticationv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: "web", UID: pod.UID}})
	if err != nil {
		t.Fatal(err)
	}
	info, err = whoami(t, tokenConfig(podBound.Status.Token))
	if err != nil || info.Extra["authentication.kubernetes.io/pod-name"][0] != "web" {
		t.Fatalf("pod-bound token: %+v %v", info, err)
	}
	zero := int64(0)
	if err := admin.CoreV1().Pods(ns).Delete(ctx, "web", metav1.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the pod-bound token stops working", func() error {
		return unauthorized(whoami(t, tokenConfig(podBound.Status.Token)))
	})

	// The account goes: its token stops working.
	if err := admin.CoreV1().ServiceAccounts(ns).Delete(ctx, "builder", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the token stops working", func() error {
		return unauthorized(whoami(t, tokenConfig(tr.Status.Token)))
	})
}

// unauthorized is nil for a 401, an error saying what happened otherwise.
func unauthorized(_ authenticationv1.UserInfo, err error) error {
	if apierrors.IsUnauthorized(err) {
		return nil
	}
	if err == nil {
		return errorf("still authenticated")
	}
	return err
}

// TestBootstrapToken: a join token authenticates as system:bootstrap:<id>
// while its Secret says so.
func TestBootstrapToken(t *testing.T) {
	s := server(t)
	ctx := ctxFor(t)
	token, err := bootstraptoken.Generate()
	if err != nil {
		t.Fatal(err)
	}
	secret, err := bootstraptoken.NewSecret(token, time.Now().Add(time.Hour), "system:bootstrappers:hanok:worker")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Client().CoreV1().Secrets("kube-system").Create(ctx, secret, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	id, _, _ := bootstraptoken.Parse(token)
	cfg := s.AnonymousRESTConfig()
	cfg.BearerToken = token
	var info authenticationv1.UserInfo
	eventually(t, "the bootstrap token authenticates", func() error {
		info, err = whoami(t, cfg)
		return err
	})
	if info.Username != "system:bootstrap:"+id ||
		strings.Join(info.Groups, ",") != "system:bootstrappers,system:bootstrappers:hanok:worker,system:authenticated" {
		t.Fatalf("bootstrap user %+v", info)
	}
	if err := s.Client().CoreV1().Secrets("kube-system").Delete(ctx, secret.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the deleted token stops working", func() error { return unauthorized(whoami(t, cfg)) })
}

// TestImpersonation: `kubectl --as`: the admin may act as anyone; a user
// without the impersonate verb may not.
func TestImpersonation(t *testing.T) {
	s := server(t)
	as := s.RESTConfig()
	as.Impersonate = rest.ImpersonationConfig{UserName: "bob", Groups: []string{"devs"}}
	info, err := whoami(t, as)
	if err != nil || info.Username != "bob" || strings.Join(info.Groups, ",") != "devs,system:authenticated" {
		t.Fatalf("admin as bob: %+v %v", info, err)
	}
	// Acting as bob, the admin has bob's rights (none).
	if _, err := newClientset(t, as).CoreV1().Secrets("default").List(ctxFor(t), metav1.ListOptions{}); !apierrors.IsForbidden(err) ||
		!strings.Contains(err.Error(), `User "bob" cannot list resource "secrets"`) {
		t.Fatalf("bob lists secrets: %v", err)
	}
	eve := s.RESTConfigFor(t, "eve")
	eve.Impersonate = rest.ImpersonationConfig{UserName: "system:admin", Groups: []string{"system:masters"}}
	if _, err := whoami(t, eve); !apierrors.IsForbidden(err) ||
		!strings.Contains(err.Error(), `User "eve" cannot impersonate resource "users" in API group "" at the cluster scope`) {
		t.Fatalf("eve impersonates the admin: %v", err)
	}
}
