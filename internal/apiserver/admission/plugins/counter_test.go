package plugins

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// TestDiscoveryCounter counts objects of any resource through a real
// clientset against a small fake API server.
func TestDiscoveryCounter(t *testing.T) {
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path+"?"+r.URL.RawQuery)
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/apis":
			_, _ = w.Write([]byte(`{"kind":"APIGroupList","apiVersion":"v1","groups":[{"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apps/v1","version":"v1"}}]}`))
		case "/api":
			_, _ = w.Write([]byte(`{"kind":"APIVersions","versions":["v1"]}`))
		case "/apis/apps/v1/namespaces/ns/deployments":
			_, _ = w.Write([]byte(`{"kind":"DeploymentList","items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]}`))
		case "/api/v1/namespaces/ns/secrets":
			_, _ = w.Write([]byte(`{"kind":"SecretList","items":[{"metadata":{"name":"a"}}]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	client, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	c := NewDiscoveryCounter(client)
	tests := []struct {
		gr      schema.GroupResource
		want    int64
		wantErr bool
	}{
		{schema.GroupResource{Group: "apps", Resource: "deployments"}, 2, false},
		{schema.GroupResource{Resource: "secrets"}, 1, false},
		{schema.GroupResource{Group: "apps", Resource: "deployments"}, 2, false}, // version cached
		{schema.GroupResource{Group: "example.com", Resource: "widgets"}, 0, true},
	}
	for _, tt := range tests {
		n, err := c.CountObjects(context.Background(), "ns", tt.gr)
		if n != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("%s: %d, %v", tt.gr, n, err)
		}
	}
	discoveries := 0
	for _, p := range paths {
		if p == "/apis?" {
			discoveries++
		}
	}
	if discoveries != 2 { // apps once, example.com once
		t.Errorf("discovery calls: %v", paths)
	}
}
