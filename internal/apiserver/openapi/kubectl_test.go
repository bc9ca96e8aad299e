package openapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

const kubectlPath = "/usr/bin/kubectl"

// kubectlServer serves the OpenAPI handler plus just enough of an API
// server for kubectl: legacy discovery built from the same resources (the
// real discovery lives elsewhere) and a pod collection that records what
// kubectl posted.
type kubectlServer struct {
	*httptest.Server
	mu     sync.Mutex
	posted []string // raw queries of POSTs
}

func startKubectlServer(t *testing.T, resources []*registry.Resource) *kubectlServer {
	t.Helper()
	svc, err := New(resources)
	if err != nil {
		t.Fatal(err)
	}
	discovery := discoveryStub(resources)
	ks := &kubectlServer{}
	ks.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/openapi/"):
			svc.ServeHTTP(w, r)
		case r.Method == http.MethodPost && r.URL.Path == "/api/v1/namespaces/default/pods":
			ks.mu.Lock()
			ks.posted = append(ks.posted, r.URL.RawQuery)
			ks.mu.Unlock()
			body, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(body)
		default:
			body, ok := discovery[strings.TrimSuffix(r.URL.Path, "/")]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body)
		}
	}))
	t.Cleanup(ks.Close)
	return ks
}

// discoveryStub answers /api, /api/v1, /apis and /apis/<g>/<v> for the
// resources, in the legacy (unaggregated) form kubectl falls back to.
func discoveryStub(resources []*registry.Resource) map[string][]byte {
	lists := map[schema.GroupVersion]*metav1.APIResourceList{}
	var groups metav1.APIGroupList
	for _, r := range resources {
		gv := r.GroupVersion
		if lists[gv] == nil {
			lists[gv] = &metav1.APIResourceList{GroupVersion: gv.String()}
			if gv.Group != "" {
				v := metav1.GroupVersionForDiscovery{GroupVersion: gv.String(), Version: gv.Version}
				groups.Groups = append(groups.Groups, metav1.APIGroup{
					Name: gv.Group, Versions: []metav1.GroupVersionForDiscovery{v}, PreferredVersion: v,
				})
			}
		}
		lists[gv].APIResources = append(lists[gv].APIResources, metav1.APIResource{
			Name: r.Plural, SingularName: strings.ToLower(r.Kind), Namespaced: r.Namespaced, Kind: r.Kind,
			Verbs: metav1.Verbs{"create", "delete", "get", "list", "patch", "update", "watch"},
		})
	}
	out := map[string][]byte{}
	put := func(path string, v any) {
		b, _ := json.Marshal(v)
		out[path] = b
	}
	put("/api", metav1.APIVersions{TypeMeta: metav1.TypeMeta{Kind: "APIVersions"}, Versions: []string{"v1"}})
	put("/apis", groups)
	for gv, list := range lists {
		put(gvPrefix(gv), list)
	}
	return out
}

// kubectl runs the real kubectl against the server, with its own cache
// and home so nothing of the machine's leaks in or out.
func kubectl(t *testing.T, server string, stdin string, args ...string) string {
	t.Helper()
	if _, err := os.Stat(kubectlPath); err != nil {
		t.Skipf("kubectl not installed at %s", kubectlPath)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	home := t.TempDir()
	full := append([]string{"--server", server, "--cache-dir", filepath.Join(home, "cache")}, args...)
	cmd := exec.CommandContext(ctx, kubectlPath, full...)
	cmd.Env = []string{"HOME=" + home, "KUBECONFIG=" + filepath.Join(home, "none"), "PATH=/usr/bin:/bin"}
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestKubectlExplain(t *testing.T) {
	if _, err := os.Stat(kubectlPath); err != nil {
		t.Skipf("kubectl not installed at %s", kubectlPath)
	}
	ks := startKubectlServer(t, testResources())
	const want = "List of containers belonging to the pod."

	// The default reads OpenAPI v3; plaintext-openapiv2 reads the v2
	// protobuf form.
	for _, format := range []string{"plaintext", "plaintext-openapiv2"} {
		out := kubectl(t, ks.URL, "", "explain", "pods.spec.containers", "--output", format)
		if !strings.Contains(out, want) || !strings.Contains(out, "KIND:") {
			t.Errorf("kubectl explain --output %s printed:\n%s", format, out)
		}
	}
	out := kubectl(t, ks.URL, "", "explain", "deployments.spec.strategy.rollingUpdate", "--api-version", "apps/v1")
	if !strings.Contains(out, "maxSurge") {
		t.Errorf("kubectl explain deployments printed:\n%s", out)
	}
}

// kubectl leaves field validation to the server only after finding the
// fieldValidation parameter on the kind's PATCH operation in the v3
// document; otherwise it validates against the schema itself first. So an
// object with an unknown field reaches the server (which would reject it)
// only when the documents advertise server-side validation.
func TestKubectlUsesServerSideFieldValidation(t *testing.T) {
	if _, err := os.Stat(kubectlPath); err != nil {
		t.Skipf("kubectl not installed at %s", kubectlPath)
	}
	ks := startKubectlServer(t, testResources())
	pod := `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"bogusField":1,"containers":[{"name":"c","image":"nginx"}]}}`
	kubectl(t, ks.URL, pod, "create", "--validate=strict", "-f", "-")
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if len(ks.posted) != 1 || !strings.Contains(ks.posted[0], "fieldValidation=Strict") {
		t.Errorf("kubectl posted with queries %q, want fieldValidation=Strict", ks.posted)
	}
}
