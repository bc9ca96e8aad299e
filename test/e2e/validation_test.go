package e2e

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
)

// TestWrongObjectsAreRefused checks that invalid objects get 422 with the
// wrong field named, malformed bodies 400, and nothing is stored.
func TestWrongObjectsAreRefused(t *testing.T) {
	s := startServer(t)
	// Admission looks up the default ServiceAccount before validation runs.
	waitForDefaultServiceAccount(t, s, "default")
	tests := []struct {
		name, yaml, wantField string
	}{
		{"pod with no containers", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: empty\nspec:\n  containers: []\n", "spec.containers"},
		{"upper-case name", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Web\n", "metadata.name"},
		{"port 70000", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: port\nspec:\n  containers:\n  - name: c\n    image: busybox\n    ports:\n    - containerPort: 70000\n", "spec.containers[0].ports[0].containerPort"},
		{"selector does not match template", `apiVersion: apps/v1
kind: Deployment
metadata:
  name: mismatch
spec:
  selector:
    matchLabels: {app: a}
  template:
    metadata:
      labels: {app: b}
    spec:
      containers:
      - name: c
        image: busybox
`, "spec.template.metadata.labels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.kubectlIn(tt.yaml, "create", "-f", "-")
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), "is invalid") || !strings.Contains(err.Error(), tt.wantField) {
				t.Fatalf("want 422 naming %s, got %v", tt.wantField, err)
			}
		})
	}
	out := s.mustKubectl("get", "pods,deploy,cm", "-o", "name")
	for _, name := range []string{"empty", "port", "mismatch", "Web"} {
		if strings.Contains(out, "/"+name+"\n") {
			t.Fatalf("refused object %s was stored:\n%s", name, out)
		}
	}

	client := adminHTTPClient(t, s.kubeconfig)
	for _, body := range []string{`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":`, `{{{`, "\x00\x01", `[1,2]`} {
		resp, err := client.Post(s.url()+"/api/v1/namespaces/default/configmaps", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("malformed body %q: status %d, want 400: %s", body, resp.StatusCode, data)
		}
		var st struct{ Kind, Reason string }
		if err := json.Unmarshal(data, &st); err != nil || st.Kind != "Status" {
			t.Errorf("malformed body %q: answer is not a Status: %s", body, data)
		}
	}
	resp, err := client.Post(s.url()+"/api/v1/namespaces/default/configmaps", "application/yaml",
		bytes.NewReader([]byte("kind: ConfigMap\napiVersion: v1\nmetadata: [unclosed")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("malformed YAML: status %d, want 400", resp.StatusCode)
	}
	// Strict field validation: kubectl refuses unknown fields by default.
	_, err = s.kubectlIn("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict\ndatta:\n  a: b\n", "create", "-f", "-")
	if err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Fatalf("unknown field: want a strict decoding error, got %v", err)
	}
}

// adminHTTPClient is a plain HTTP client with the admin kubeconfig's TLS.
func adminHTTPClient(t *testing.T, kubeconfig string) *http.Client {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(cfg.CertData, cfg.KeyData)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(cfg.CAData)
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}}}}
}
