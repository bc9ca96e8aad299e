package controllertest

import "testing"

func TestResourceOf(t *testing.T) {
	for path, want := range map[string]string{
		"/api/v1/namespaces/ns/pods":                       "pods",
		"/api/v1/namespaces/ns/pods/p1":                    "pods",
		"/api/v1/namespaces/ns/pods/p1/status":             "pods/status",
		"/apis/apps/v1/namespaces/ns/replicasets/r/status": "replicasets/status",
		"/apis/apps/v1/namespaces/ns/deployments/d":        "deployments",
		"/api/v1/nodes":                                    "nodes",
	} {
		if got := resourceOf(path); got != want {
			t.Errorf("%s: got %q, want %q", path, got, want)
		}
	}
}
