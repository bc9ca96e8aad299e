package pki

import (
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

func TestWriteKubeconfigRoundTrip(t *testing.T) {
	b := mustEnsure(t, testOptions(t))
	// An API server stand-in that answers with the client's CN once it
	// verified the certificate against the client CA, as the API server's
	// x509 authenticator does.
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TLS.PeerCertificates) == 0 {
			http.Error(w, "no client cert", http.StatusUnauthorized)
			return
		}
		leaf := r.TLS.PeerCertificates[0]
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: b.ClientCA.Pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		io.WriteString(w, leaf.Subject.CommonName)
	}))
	srv.TLS = b.APIServerTLSConfig()
	srv.StartTLS()
	defer srv.Close()

	path := filepath.Join(t.TempDir(), "etc", "hanok", "hanok.yaml")
	if err := WriteKubeconfig(path, 0o640, srv.URL, b.ServerCAPEM(), b.Admin.CertPEM, b.Admin.KeyPEM); err != nil {
		t.Fatal(err)
	}
	assertMode(t, path, 0o640)
	assertMode(t, filepath.Dir(path), 0o755)

	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CurrentContext != "default" || cfg.Clusters["default"].Server != srv.URL ||
		cfg.Contexts["default"].AuthInfo != "default" || len(cfg.AuthInfos["default"].ClientKeyData) == 0 {
		t.Errorf("unexpected kubeconfig: %+v", cfg)
	}

	fromFile, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		t.Fatal(err)
	}
	inProcess := RESTConfig(srv.URL, b.ServerCAPEM(), b.Admin.CertPEM, b.Admin.KeyPEM)
	for name, cfg := range map[string]*rest.Config{"kubeconfig": fromFile, "RESTConfig": inProcess} {
		if got := whoami(t, cfg, srv.URL); got != "system:admin" {
			t.Errorf("%s: server saw %q, want system:admin", name, got)
		}
	}

	// Rewriting an existing file applies the new mode (--write-kubeconfig-mode changed).
	if err := WriteKubeconfig(path, 0o600, srv.URL, b.ServerCAPEM(), b.Admin.CertPEM, b.Admin.KeyPEM); err != nil {
		t.Fatal(err)
	}
	assertMode(t, path, 0o600)
}

func whoami(t *testing.T, cfg *rest.Config, url string) string {
	t.Helper()
	tr, err := rest.TransportFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: tr}
	defer client.CloseIdleConnections()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != want {
		t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), want)
	}
}
