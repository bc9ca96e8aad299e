package openapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	openapiv2 "github.com/google/gnostic-models/openapiv2"
	openapiv3 "github.com/google/gnostic-models/openapiv3"
	"google.golang.org/protobuf/proto"
	"k8s.io/kube-openapi/pkg/spec3"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

// One Service for the read-only tests: building documents is the slow part.
var (
	sharedOnce    sync.Once
	sharedService *Service
	sharedErr     error
)

func service(t testing.TB) *Service {
	t.Helper()
	sharedOnce.Do(func() { sharedService, sharedErr = New(testResources()) })
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedService
}

// get serves one request through the handler; Go's client is not involved,
// so the body comes back uncompressed unless the test asks for gzip.
func get(t *testing.T, h http.Handler, path, accept string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestV2Document(t *testing.T) {
	s := service(t)
	rec := get(t, s, "/openapi/v2", "application/json")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /openapi/v2: %d %s", rec.Code, rec.Body)
	}
	body := rec.Body.Bytes()

	// gnostic (what kubectl parses with) accepts it.
	if _, err := openapiv2.ParseDocument(body); err != nil {
		t.Fatalf("gnostic cannot parse the v2 document: %v", err)
	}
	var sw spec.Swagger
	if err := json.Unmarshal(body, &sw); err != nil {
		t.Fatal(err)
	}

	pod, ok := sw.Definitions["io.k8s.api.core.v1.Pod"]
	if !ok {
		t.Fatal("no io.k8s.api.core.v1.Pod definition")
	}
	wantGVK(t, pod.Extensions, "", "v1", "Pod")
	if _, ok := sw.Definitions["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]; !ok {
		t.Error("no ObjectMeta definition")
	}
	if q := sw.Definitions["io.k8s.apimachinery.pkg.api.resource.Quantity"]; !reflect.DeepEqual([]string(q.Type), []string{"string"}) {
		t.Errorf("v2 Quantity should be its v2 form (type string), got %v", q.Type)
	}
	wantContainersExtensions(t, sw.Definitions["io.k8s.api.core.v1.PodSpec"].Properties["containers"].Extensions)
	scale := sw.Definitions["io.k8s.api.autoscaling.v1.Scale"]
	wantGVK(t, scale.Extensions, "autoscaling", "v1", "Scale")

	// Paths for every verb, with their parameters (shared ones by $ref).
	item := sw.Paths.Paths["/api/v1/namespaces/{namespace}/pods/{name}"]
	if item.Get == nil || item.Put == nil || item.Patch == nil || item.Delete == nil {
		t.Fatalf("pod item path lacks verbs: %+v", item)
	}
	if got := v2ParamNames(sw, item.Patch.Parameters); !contains(got, "fieldValidation") || !contains(got, "fieldManager") ||
		!contains(got, "dryRun") || !contains(got, "force") || !contains(got, "body") {
		t.Errorf("patch pod parameters = %v", got)
	}
	if got := v2ParamNames(sw, item.Parameters); !reflect.DeepEqual(got, []string{"name", "namespace", "pretty"}) {
		t.Errorf("pod item path parameters = %v", got)
	}
	coll := sw.Paths.Paths["/api/v1/namespaces/{namespace}/pods"]
	if coll.Get == nil || coll.Post == nil || coll.Delete == nil {
		t.Fatalf("pod collection lacks verbs")
	}
	if got := v2ParamNames(sw, coll.Get.Parameters); !contains(got, "labelSelector") || !contains(got, "watch") || !contains(got, "limit") {
		t.Errorf("list pods parameters = %v", got)
	}
	if action, _ := coll.Delete.Extensions.GetString("x-kubernetes-action"); action != "deletecollection" {
		t.Errorf("DELETE on the collection has action %q", action)
	}
	for path, id := range map[string]string{
		"/api/v1/pods": "listCoreV1PodForAllNamespaces",
		"/api/v1/namespaces/{namespace}/pods/{name}/status":             "readCoreV1NamespacedPodStatus",
		"/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale": "readAppsV1NamespacedDeploymentScale",
		"/api/v1/nodes/{name}":                            "readCoreV1Node",
		"/apis/rbac.authorization.k8s.io/v1/clusterroles": "listRbacAuthorizationV1ClusterRole",
		"/api/v1/namespaces/{namespace}/pods/{name}/log":  "readCoreV1NamespacedPodLog",
		"/api/v1/namespaces/{namespace}/pods/{name}/exec": "connectCoreV1GetNamespacedPodExec",
		"/api/v1/watch/namespaces/{namespace}/pods":       "watchCoreV1NamespacedPodList",
		"/version/": "getCodeVersion",
	} {
		p, ok := sw.Paths.Paths[path]
		if !ok || p.Get == nil {
			t.Errorf("no GET %s", path)
			continue
		}
		if p.Get.ID != id {
			t.Errorf("GET %s: operationId %q, want %q", path, p.Get.ID, id)
		}
	}
	if post := sw.Paths.Paths["/api/v1/namespaces/{namespace}/pods/{name}/eviction"].Post; post == nil {
		t.Error("no POST eviction")
	} else {
		wantGVK(t, spec.Extensions{extensionGVK: []interface{}{post.Extensions[extensionGVK]}}, "policy", "v1", "Eviction")
	}
	// Create-only kinds have no list or item paths.
	if _, ok := sw.Paths.Paths["/apis/authentication.k8s.io/v1/tokenreviews/{name}"]; ok {
		t.Error("tokenreviews should have no item path")
	}
	if p := sw.Paths.Paths["/apis/authentication.k8s.io/v1/tokenreviews"]; p.Post == nil || p.Get != nil {
		t.Error("tokenreviews should be create-only")
	}

	// The protobuf form kubectl asks for decodes to the same document.
	rec = get(t, s, "/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != mediaV2Protobuf {
		t.Fatalf("protobuf v2: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var pb openapiv2.Document
	if err := proto.Unmarshal(rec.Body.Bytes(), &pb); err != nil {
		t.Fatalf("protobuf v2 does not decode: %v", err)
	}
	found := false
	for _, d := range pb.GetDefinitions().GetAdditionalProperties() {
		if d.GetName() == "io.k8s.api.core.v1.Pod" {
			found = true
		}
	}
	if !found {
		t.Error("protobuf v2 has no Pod definition")
	}
}

func TestV3Documents(t *testing.T) {
	s := service(t)
	rec := get(t, s, "/openapi/v3", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /openapi/v3: %d %s", rec.Code, rec.Body)
	}
	var index v3Index
	if err := json.Unmarshal(rec.Body.Bytes(), &index); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"api", "api/v1", "apis", "apis/apps", "apis/apps/v1", "apis/batch/v1",
		"apis/rbac.authorization.k8s.io/v1", "apis/authentication.k8s.io/v1", "version"} {
		entry, ok := index.Paths[key]
		if !ok {
			t.Errorf("index lacks %s", key)
			continue
		}
		if !strings.HasPrefix(entry.ServerRelativeURL, "/openapi/v3/"+key+"?hash=") {
			t.Errorf("%s: serverRelativeURL %q", key, entry.ServerRelativeURL)
		}
	}

	core := v3Doc(t, s, index.Paths["api/v1"].ServerRelativeURL)
	pod := core.Components.Schemas["io.k8s.api.core.v1.Pod"]
	if pod == nil {
		t.Fatal("api/v1 has no Pod schema")
	}
	wantGVK(t, pod.Extensions, "", "v1", "Pod")
	wantContainersExtensions(t, core.Components.Schemas["io.k8s.api.core.v1.PodSpec"].Properties["containers"].Extensions)
	if q := core.Components.Schemas["io.k8s.apimachinery.pkg.api.resource.Quantity"]; q == nil || len(q.OneOf) != 2 {
		t.Errorf("v3 Quantity should be oneOf string/number: %+v", q)
	}
	// $refs with siblings are wrapped in allOf, as v3 requires.
	if md := pod.Properties["metadata"]; len(md.AllOf) != 1 || md.Ref.String() != "" {
		t.Errorf("Pod.metadata should be allOf-wrapped: %+v", md)
	}

	// kubectl decides the server validates fields when the PATCH
	// operations of a kind carry fieldValidation among their own
	// parameters; POST and PUT carry it too.
	for _, key := range []string{"api/v1", "apis/apps/v1"} {
		doc := v3Doc(t, s, index.Paths[key].ServerRelativeURL)
		patches := 0
		for path, item := range doc.Paths.Paths {
			for method, op := range map[string]*spec3.Operation{"patch": item.Patch, "post": item.Post, "put": item.Put} {
				if op == nil || op.Extensions["x-kubernetes-action"] == "connect" {
					continue
				}
				if method == "patch" {
					patches++
					if _, ok := op.Extensions[extensionGVK]; !ok {
						t.Errorf("%s PATCH %s lacks %s", key, path, extensionGVK)
					}
				}
				if !v3HasQuery(op, "fieldValidation") || !v3HasQuery(op, "dryRun") || !v3HasQuery(op, "fieldManager") {
					t.Errorf("%s %s %s lacks fieldValidation/dryRun/fieldManager", key, method, path)
				}
			}
		}
		if patches == 0 {
			t.Errorf("%s has no PATCH operations", key)
		}
	}

	// gnostic parses them, and the protobuf form decodes.
	apps := index.Paths["apis/apps/v1"].ServerRelativeURL
	rec = get(t, s, apps, "application/json")
	if _, err := openapiv3.ParseDocument(rec.Body.Bytes()); err != nil {
		t.Fatalf("gnostic cannot parse apis/apps/v1: %v", err)
	}
	rec = get(t, s, apps, "application/com.github.proto-openapi.spec.v3@v1.0+protobuf")
	var pb openapiv3.Document
	if rec.Code != http.StatusOK {
		t.Fatalf("protobuf v3: %d", rec.Code)
	}
	if err := proto.Unmarshal(rec.Body.Bytes(), &pb); err != nil {
		t.Fatalf("protobuf v3 does not decode: %v", err)
	}
	if pb.GetComponents().GetSchemas() == nil {
		t.Error("protobuf v3 has no schemas")
	}
}

// Documents and the converter must agree on which kinds a definition is.
func TestKindsOnlyServedGroups(t *testing.T) {
	s := service(t)
	for name, gvks := range s.kinds {
		for _, gvk := range gvks {
			if strings.Contains(gvk.Version, "alpha") || strings.Contains(gvk.Version, "beta") {
				t.Errorf("%s listed as unserved %s", name, gvk)
			}
		}
	}
	var del []string
	for _, gvk := range s.kinds["io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"] {
		del = append(del, gvk.GroupVersion().String())
	}
	if !contains(del, "v1") || !contains(del, "apps/v1") {
		t.Errorf("DeleteOptions kinds = %v, want every served group-version", del)
	}
}

func v3Doc(t *testing.T, s *Service, url string) *spec3.OpenAPI {
	t.Helper()
	rec := get(t, s, url, "application/json")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, rec.Code, rec.Body)
	}
	var doc spec3.OpenAPI
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return &doc
}

func v3HasQuery(op *spec3.Operation, name string) bool {
	for _, p := range op.Parameters {
		if p.Name == name && p.In == "query" {
			return true
		}
	}
	return false
}

// v2ParamNames resolves #/parameters/ refs to names.
func v2ParamNames(sw spec.Swagger, params []spec.Parameter) []string {
	var out []string
	for _, p := range params {
		if ref := p.Ref.String(); ref != "" {
			p = sw.Parameters[strings.TrimPrefix(ref, "#/parameters/")]
		}
		out = append(out, p.Name)
	}
	return out
}

// wantGVK checks the x-kubernetes-group-version-kind extension lists gvk.
func wantGVK(t *testing.T, ext spec.Extensions, group, version, kind string) {
	t.Helper()
	list, ok := ext[extensionGVK].([]interface{})
	if !ok {
		t.Errorf("no %s list in %v", extensionGVK, ext)
		return
	}
	for _, item := range list {
		m, _ := item.(map[string]interface{})
		if m["group"] == group && m["version"] == version && m["kind"] == kind {
			return
		}
	}
	t.Errorf("%s = %v, want it to list %s/%s %s", extensionGVK, list, group, version, kind)
}

// wantContainersExtensions checks what strategic merge patch and
// server-side apply need to merge PodSpec.containers by name.
func wantContainersExtensions(t *testing.T, ext spec.Extensions) {
	t.Helper()
	if v, _ := ext.GetString("x-kubernetes-patch-strategy"); v != "merge" {
		t.Errorf("containers x-kubernetes-patch-strategy = %q", v)
	}
	if v, _ := ext.GetString("x-kubernetes-patch-merge-key"); v != "name" {
		t.Errorf("containers x-kubernetes-patch-merge-key = %q", v)
	}
	if v, _ := ext.GetString("x-kubernetes-list-type"); v != "map" {
		t.Errorf("containers x-kubernetes-list-type = %q", v)
	}
	if v, _ := ext.GetStringSlice("x-kubernetes-list-map-keys"); !reflect.DeepEqual(v, []string{"name"}) {
		t.Errorf("containers x-kubernetes-list-map-keys = %v", v)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
