package apiserver

import (
	"net/http/httptest"
	"testing"
)

func TestParseRequestInfo(t *testing.T) {
	tests := []struct {
		method, url                                 string
		verb, group, version, ns, res, name, subres string
		isResource                                  bool
	}{
		{"GET", "/api/v1/pods", "list", "", "v1", "", "pods", "", "", true},
		{"GET", "/api/v1/pods?watch=true", "watch", "", "v1", "", "pods", "", "", true},
		{"GET", "/api/v1/namespaces/default/pods/web", "get", "", "v1", "default", "pods", "web", "", true},
		{"PUT", "/api/v1/namespaces/default/pods/web/status", "update", "", "v1", "default", "pods", "web", "status", true},
		{"POST", "/api/v1/namespaces/default/pods/web/binding", "create", "", "v1", "default", "pods", "web", "binding", true},
		{"DELETE", "/api/v1/namespaces/default/pods", "deletecollection", "", "v1", "default", "pods", "", "", true},
		{"GET", "/api/v1/namespaces", "list", "", "v1", "", "namespaces", "", "", true},
		{"GET", "/api/v1/namespaces/kube-system", "get", "", "v1", "kube-system", "namespaces", "kube-system", "", true},
		{"PUT", "/api/v1/namespaces/x/finalize", "update", "", "v1", "x", "namespaces", "x", "finalize", true},
		{"PATCH", "/apis/apps/v1/namespaces/a/deployments/d/scale", "patch", "apps", "v1", "a", "deployments", "d", "scale", true},
		{"GET", "/apis/apps/v1/watch/namespaces/a/deployments", "watch", "apps", "v1", "a", "deployments", "", "", true},
		{"GET", "/apis/apps/v1", "get", "apps", "v1", "", "", "", "", false},
		{"GET", "/apis/apps", "get", "", "", "", "", "", "", false},
		{"GET", "/healthz", "get", "", "", "", "", "", "", false},
		{"POST", "/api/v1/nodes", "create", "", "v1", "", "nodes", "", "", true},
		// A list or watch of one name is authorized as that name.
		{"GET", "/api/v1/namespaces/d/pods?fieldSelector=metadata.name%3Dweb", "list", "", "v1", "d", "pods", "web", "", true},
		{"GET", "/api/v1/namespaces/d/pods?watch=1&fieldSelector=metadata.name%3Dweb", "watch", "", "v1", "d", "pods", "web", "", true},
		{"GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dn1,metadata.name%3Dweb", "list", "", "v1", "", "pods", "web", "", true},
		{"GET", "/api/v1/pods?fieldSelector=metadata.name!%3Dweb", "list", "", "v1", "", "pods", "", "", true},
		{"GET", "/api/v1/pods?fieldSelector=metadata.name%3D..", "list", "", "v1", "", "pods", "", "", true},
		{"DELETE", "/api/v1/namespaces/d/pods?fieldSelector=metadata.name%3Dweb", "deletecollection", "", "v1", "d", "pods", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.url, func(t *testing.T) {
			got := ParseRequestInfo(httptest.NewRequest(tt.method, tt.url, nil))
			if got.IsResourceRequest != tt.isResource || got.Verb != tt.verb || got.APIGroup != tt.group ||
				got.APIVersion != tt.version || got.Namespace != tt.ns || got.Resource != tt.res ||
				got.Name != tt.name || got.Subresource != tt.subres {
				t.Errorf("got %+v", got)
			}
		})
	}
}
