package openapi

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestGroupCamel(t *testing.T) {
	for in, want := range map[string]string{
		"":                          "Core",
		"apps":                      "Apps",
		"rbac.authorization.k8s.io": "RbacAuthorization",
		"networking.k8s.io":         "Networking",
		"example.com":               "ExampleCom",
	} {
		if got := groupCamel(in); got != want {
			t.Errorf("groupCamel(%q) = %q, want %q", in, got, want)
		}
	}
	if got := groupTag(schema.GroupVersion{Group: "rbac.authorization.k8s.io", Version: "v1"}); got != "rbacAuthorization_v1" {
		t.Errorf("groupTag = %q", got)
	}
}

func TestDocKey(t *testing.T) {
	for in, want := range map[string]string{
		"/api/":                               "api",
		"/api/v1/":                            "api/v1",
		"/api/v1/namespaces/{namespace}/pods": "api/v1",
		"/apis/":                              "apis",
		"/apis/apps/":                         "apis/apps",
		"/apis/apps/v1/":                      "apis/apps/v1",
		"/apis/apps/v1/watch/deployments":     "apis/apps/v1",
		"/version/":                           "version",
	} {
		if got := docKey(in); got != want {
			t.Errorf("docKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// Generated clients name methods after operation IDs: they must be unique.
func TestOperationIDsUnique(t *testing.T) {
	seen := map[string]string{}
	for _, rt := range service(t).routes {
		if prev, ok := seen[rt.id]; ok {
			t.Errorf("operationId %s on %s and %s %s", rt.id, prev, rt.method, rt.path)
		}
		seen[rt.id] = rt.method + " " + rt.path
	}
}

type notAnAPIType struct{ runtime.Object }

func TestNewRejectsTypesWithoutDefinitions(t *testing.T) {
	bad := res(corev1.SchemeGroupVersion, "Widget", "widgets", true,
		func() runtime.Object { return &notAnAPIType{} }, nil)
	_, err := New(append(testResources(), bad))
	if err == nil || !strings.Contains(err.Error(), "widgets") || !strings.Contains(err.Error(), "OpenAPIModelName") {
		t.Errorf("New with a non-API type: %v", err)
	}
}

// A subresource this package does not know is left out, not guessed at.
func TestUnknownSubresourceSkipped(t *testing.T) {
	r := res(corev1.SchemeGroupVersion, "ConfigMap", "configmaps", true,
		func() runtime.Object { return &corev1.ConfigMap{} }, func() runtime.Object { return &corev1.ConfigMapList{} }, "frobnicate")
	routes, err := resourceRoutes(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range routes {
		if strings.Contains(rt.path, "frobnicate") {
			t.Errorf("route for unknown subresource: %s", rt.path)
		}
	}
}
