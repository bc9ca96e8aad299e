package e2e

import (
	"bytes"
	"context"
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
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// TestAuthWithKubectl: real kubectl against `hanok server` as an admin, as
// a user bound to view (certificate from the data dir's client CA, as a
// cluster operator would issue one), as a service account with a token from
// `kubectl create token`, and with no or a bad credential.
func TestAuthWithKubectl(t *testing.T) {
	s := startServer(t)
	const ns = "e2e-auth"
	s.mustKubectl("create", "namespace", ns)
	s.mustKubectl("create", "configmap", "settings", "-n", ns, "--from-literal=color=blue")
	s.mustKubectl("create", "rolebinding", "alice-view", "--clusterrole=view", "--user=alice", "-n", ns)

	t.Run("admin", func(t *testing.T) {
		contains(t, s.mustKubectl("auth", "whoami"), "system:admin", "system:masters")
		contains(t, s.mustKubectl("auth", "can-i", "--list"), "*.*")
		if out := strings.TrimSpace(s.mustKubectl("auth", "can-i", "delete", "nodes")); out != "yes" {
			t.Fatalf("admin can-i delete nodes: %q", out)
		}
		// Impersonation: the admin asks on alice's behalf.
		contains(t, s.mustKubectl("auth", "whoami", "--as=alice", "--as-group=dev"), "alice", "dev")
		if out, _ := s.kubectl("auth", "can-i", "delete", "configmaps", "-n", ns, "--as=alice"); strings.TrimSpace(out) != "no" {
			t.Fatalf("can-i as alice: %q", out)
		}
	})

	alice := writeKubeconfig(t, s, "alice", userCert(t, s, "alice", "dev"), "")
	t.Run("view user", func(t *testing.T) {
		contains(t, mustKubectlAs(t, alice, "auth", "whoami"), "alice", "dev", "system:authenticated")
		contains(t, mustKubectlAs(t, alice, "get", "configmap", "settings", "-n", ns), "settings")
		contains(t, mustKubectlAs(t, alice, "auth", "can-i", "--list", "-n", ns), "pods", "[get list watch]", "selfsubjectaccessreviews.authorization.k8s.io")
		out, err := kubectlAs(t, alice, "delete", "configmap", "settings", "-n", ns)
		if err == nil {
			t.Fatalf("alice deleted a configmap: %s", out)
		}
		contains(t, err.Error(), `Error from server (Forbidden): configmaps "settings" is forbidden: User "alice" cannot delete resource "configmaps" in API group "" in the namespace "e2e-auth"`)
		out, err = kubectlAs(t, alice, "auth", "can-i", "delete", "configmaps", "-n", ns)
		if err == nil || strings.TrimSpace(out) != "no" {
			t.Fatalf("can-i delete: %q %v", out, err)
		}
		if out := strings.TrimSpace(mustKubectlAs(t, alice, "auth", "can-i", "get", "pods", "-n", ns)); out != "yes" {
			t.Fatalf("can-i get pods: %q", out)
		}
		_, err = kubectlAs(t, alice, "get", "secrets", "-n", ns)
		if err == nil {
			t.Fatal("alice lists secrets")
		}
		contains(t, err.Error(), `User "alice" cannot list resource "secrets"`)
	})

	t.Run("service account token", func(t *testing.T) {
		// The account may already exist (a controller creates it); apply is
		// idempotent either way.
		if _, err := s.kubectlIn("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: default\n", "apply", "-f", "-"); err != nil {
			t.Fatal(err)
		}
		token := strings.TrimSpace(s.mustKubectl("create", "token", "default"))
		if strings.Count(token, ".") != 2 {
			t.Fatalf("not a JWT: %q", token)
		}
		sa := writeKubeconfig(t, s, "sa", nil, token)
		contains(t, mustKubectlAs(t, sa, "auth", "whoami"), "system:serviceaccount:default:default", "system:serviceaccounts:default")
		if out := strings.TrimSpace(mustKubectlAs(t, sa, "auth", "can-i", "create", "selfsubjectreviews.authentication.k8s.io")); out != "yes" {
			t.Fatalf("token user can-i: %q", out)
		}
		_, err := kubectlAs(t, sa, "get", "secrets")
		if err == nil {
			t.Fatal("the default service account lists secrets")
		}
		contains(t, err.Error(), `User "system:serviceaccount:default:default" cannot list resource "secrets"`)
	})

	t.Run("bad or no credential", func(t *testing.T) {
		_, err := kubectlAs(t, writeKubeconfig(t, s, "bad-token", nil, "not-a-token"), "get", "pods")
		if err == nil {
			t.Fatal("kubectl get pods worked with a bad token")
		}
		// kubectl words it as it does against upstream: its discovery client
		// cannot decode the 401 Status, so it says "the server has asked for
		// the client to provide credentials".
		contains(t, err.Error(), "error: You must be logged in to the server")
		// kubectl asks for a password when a kubeconfig has no credential at
		// all, so the anonymous request goes without it.
		code, body := anonymousGet(t, s, "/api/v1/namespaces/default/pods")
		if code != 401 || !strings.Contains(body, `"message":"Unauthorized"`) {
			t.Fatalf("anonymous list: %d %s", code, body)
		}
		if code, body := anonymousGet(t, s, "/version"); code != 200 {
			t.Fatalf("anonymous /version: %d %s", code, body)
		}
	})
}

// anonymousGet sends a GET with no credential, trusting the server's CA.
func anonymousGet(t *testing.T, s *server, path string) (int, string) {
	t.Helper()
	admin, err := clientcmd.LoadFromFile(s.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(admin.Clusters["default"].CertificateAuthorityData)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(s.url() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// userCert issues a client certificate for user in groups from the data
// dir's client CA, as an operator with openssl would.
func userCert(t *testing.T, s *server, user string, groups ...string) *pemPair {
	t.Helper()
	dir := filepath.Join(s.dataDir, "server", "tls")
	ca, err := tls.LoadX509KeyPair(filepath.Join(dir, "client-ca.crt"), filepath.Join(dir, "client-ca.key"))
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(ca.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: user, Organization: groups},
		NotBefore:    time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, ca.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return &pemPair{
		cert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		key:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	}
}

// pemPair is a client certificate and its key, PEM-encoded.
type pemPair struct{ cert, key []byte }

// writeKubeconfig writes a kubeconfig for the server (its CA from the admin
// kubeconfig) with the given client certificate, bearer token, or neither.
func writeKubeconfig(t *testing.T, s *server, name string, cert *pemPair, token string) string {
	t.Helper()
	admin, err := clientcmd.LoadFromFile(s.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["hanok"] = &clientcmdapi.Cluster{Server: s.url(), CertificateAuthorityData: admin.Clusters["default"].CertificateAuthorityData}
	user := &clientcmdapi.AuthInfo{Token: token}
	if cert != nil {
		user.ClientCertificateData, user.ClientKeyData = cert.cert, cert.key
	}
	cfg.AuthInfos[name] = user
	cfg.Contexts[name] = &clientcmdapi.Context{Cluster: "hanok", AuthInfo: name}
	cfg.CurrentContext = name
	path := filepath.Join(t.TempDir(), name+".kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// kubectlAs runs kubectl with kubeconfig; stderr is returned in the error.
func kubectlAs(t *testing.T, kubeconfig string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, kubectlBin(t), append([]string{"--kubeconfig", kubeconfig}, args...)...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig, "HOME="+filepath.Dir(kubeconfig))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), &kubectlError{args: args, err: err, stderr: stderr.String()}
	}
	return stdout.String(), nil
}

func mustKubectlAs(t *testing.T, kubeconfig string, args ...string) string {
	t.Helper()
	out, err := kubectlAs(t, kubeconfig, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type kubectlError struct {
	args   []string
	err    error
	stderr string
}

func (e *kubectlError) Error() string {
	return "kubectl " + strings.Join(e.args, " ") + ": " + e.err.Error() + ": " + e.stderr
}
