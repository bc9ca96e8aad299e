package controllertest

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"k8s.io/client-go/kubernetes"

	"github.com/hanok-dev/hanok/internal/controller"
	"github.com/hanok-dev/hanok/internal/testserver"
)

// Requests counts the API requests a client makes, by "METHOD path
// kind" (the last path segment that names a resource), for benchmarks
// of how many writes a controller spends.
type Requests struct {
	mu     sync.Mutex
	counts map[string]int
	next   http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (r *Requests) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.counts[req.Method+" "+resourceOf(req.URL.Path)]++
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

// resourceOf is the resource (and subresource) a request path names:
// /api/v1/namespaces/ns/pods/x/status -> pods/status.
func resourceOf(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(parts) > 2 && parts[0] == "api":
		parts = parts[2:]
	case len(parts) > 3 && parts[0] == "apis":
		parts = parts[3:]
	}
	if len(parts) > 2 && parts[0] == "namespaces" {
		parts = parts[2:]
	}
	if len(parts) >= 3 {
		return parts[0] + "/" + parts[2]
	}
	return parts[0]
}

// Count is how many requests matched method and resource.
func (r *Requests) Count(method, resource string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[method+" "+resource]
}

// String lists every count, sorted.
func (r *Requests) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var lines []string
	for k, v := range r.counts {
		lines = append(lines, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(lines)
	return strings.Join(lines, " ")
}

// NewCountingContext is NewContext whose client counts its requests
// (watches included) in the returned Requests.
func NewCountingContext(t testing.TB, s *testserver.Server, sa, ns string) (controller.Context, *Requests) {
	t.Helper()
	cfg := s.RESTConfigFor(t, ServiceAccountUser(sa), "system:serviceaccounts", "system:serviceaccounts:kube-system")
	reqs := &Requests{counts: map[string]int{}}
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { reqs.next = rt; return reqs }
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return contextFor(t, client, sa, ns), reqs
}
