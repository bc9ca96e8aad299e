package apiserver_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestErrorCodes: what a client gets wrong is answered with the code
// upstream uses, as a Status, and never a 500.
func TestErrorCodes(t *testing.T) {
	s := server(t)
	ns := s.CreateNamespace(t)
	cms := "/api/v1/namespaces/" + ns + "/configmaps"
	deploys := "/apis/apps/v1/namespaces/" + ns + "/deployments"
	if r := do(t, s, "POST", cms, "application/json", "", []byte(`{"metadata":{"name":"exists"}}`)); r.code != http.StatusCreated {
		t.Fatalf("setup: %d %s", r.code, r.message())
	}
	tests := []struct {
		name                string
		method, path        string
		contentType, accept string
		body                string
		code                int
	}{
		{"unknown resource", "GET", "/api/v1/namespaces/" + ns + "/widgets", "", "", "", 404},
		{"unknown group", "GET", "/apis/example.com/v1/widgets", "", "", "", 404},
		{"unknown version", "GET", "/apis/apps/v7/deployments", "", "", "", 404},
		{"unknown subresource", "GET", cms + "/exists/bogus", "", "", "", 404},
		{"missing object", "GET", cms + "/missing", "", "", "", 404},
		{"cluster-scoped under a namespace", "GET", "/api/v1/namespaces/" + ns + "/nodes", "", "", "", 404},
		{"unknown path", "GET", "/nothing/here", "", "", "", 404},
		{"POST to an object", "POST", cms + "/exists", "application/json", "", `{"metadata":{"name":"exists"}}`, 405},
		{"PUT to a collection", "PUT", cms, "application/json", "", `{"metadata":{"name":"x"}}`, 405},
		{"PATCH a collection", "PATCH", cms, "application/merge-patch+json", "", `{}`, 405},
		{"GET binding", "GET", "/api/v1/namespaces/" + ns + "/pods/p/binding", "", "", "", 405},
		{"DELETE scale", "DELETE", deploys + "/d/scale", "", "", "", 405},
		{"GET finalize", "GET", "/api/v1/namespaces/" + ns + "/finalize", "", "", "", 405},
		{"OPTIONS", "OPTIONS", cms, "", "", "", 405},
		{"create componentstatus", "POST", "/api/v1/componentstatuses", "application/json", "", `{}`, 405},
		{"Accept text/html", "GET", cms, "", "text/html", "", 406},
		{"Accept unknown as", "GET", cms, "", "application/json;as=Widget;v=v1;g=meta.k8s.io", "", 406},
		{"Content-Type text/plain", "POST", cms, "text/plain", "", `{"metadata":{"name":"x"}}`, 415},
		{"Content-Type garbage", "POST", cms, "no/such;;", "", `{"metadata":{"name":"x"}}`, 415},
		{"patch with JSON content type", "PATCH", cms + "/exists", "application/json", "", `{}`, 415},
		{"malformed JSON", "POST", cms, "application/json", "", `{"metadata":`, 400},
		{"JSON array", "POST", cms, "application/json", "", `[1,2]`, 400},
		{"wrong type for a field", "POST", cms, "application/json", "", `{"metadata":{"name":7}}`, 400},
		{"empty body", "POST", cms, "application/json", "", ``, 400},
		{"null", "POST", cms, "application/json", "", `null`, 422},
		{"malformed YAML", "POST", cms, "application/yaml", "", "metadata: [\n", 400},
		{"garbage protobuf", "POST", cms, "application/vnd.kubernetes.protobuf", "", "k8s\x00\x0a\xff\xff", 400},
		{"protobuf without magic", "POST", cms, "application/vnd.kubernetes.protobuf", "", "hello", 400},
		{"wrong kind", "POST", cms, "application/json", "", `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}`, 400},
		{"wrong apiVersion", "POST", cms, "application/json", "", `{"apiVersion":"v2","kind":"ConfigMap","metadata":{"name":"x"}}`, 400},
		{"namespace mismatch", "POST", cms, "application/json", "", `{"metadata":{"name":"x","namespace":"other"}}`, 400},
		{"name mismatch on PUT", "PUT", cms + "/exists", "application/json", "", `{"metadata":{"name":"other"}}`, 400},
		{"malformed DeleteOptions", "DELETE", cms + "/exists", "application/json", "", `{"gracePeriodSeconds":"soon"}`, 400},
		{"bad gracePeriodSeconds", "DELETE", cms + "/exists?gracePeriodSeconds=soon", "", "", "", 400},
		{"bad propagationPolicy", "DELETE", cms + "/exists?propagationPolicy=Sideways", "", "", "", 400},
		{"bad limit", "GET", cms + "?limit=many", "", "", "", 400},
		{"bad timeoutSeconds", "GET", cms + "?watch=1&timeoutSeconds=soon", "", "", "", 400},
		{"bad resourceVersion", "GET", cms + "?resourceVersion=yesterday", "", "", "", 400},
		{"bad labelSelector", "GET", cms + "?labelSelector=a%20in%20(", "", "", "", 400},
		{"bad fieldSelector", "GET", cms + "?fieldSelector=a%3D%3D%3Db", "", "", "", 400},
		{"malformed binding", "POST", "/api/v1/namespaces/" + ns + "/pods/p/binding", "application/json", "", `{"target":`, 400},
		{"malformed scale", "PUT", deploys + "/d/scale", "application/json", "", `{"spec":`, 400},
		{"apply without a manager", "PATCH", cms + "/exists", "application/apply-patch+yaml", "", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: exists\n", 400},
		{"apply malformed YAML", "PATCH", cms + "/exists?fieldManager=x", "application/apply-patch+yaml", "", "metadata: [", 400},
		{"apply not an object", "PATCH", cms + "/exists?fieldManager=x", "application/apply-patch+yaml", "", "- a\n- b\n", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body []byte
			if tt.body != "" {
				body = []byte(tt.body)
			}
			r := do(t, s, tt.method, tt.path, tt.contentType, tt.accept, body)
			if r.code != tt.code {
				t.Errorf("got %d (%.300s), want %d", r.code, r.message(), tt.code)
			}
			if tt.method != "HEAD" && r.status == nil {
				t.Errorf("answer is not a Status: %s %.200q", r.header.Get("Content-Type"), r.body)
			} else if r.status != nil && int(r.status.Code) != r.code {
				t.Errorf("Status code %d in a %d answer", r.status.Code, r.code)
			}
		})
	}
}

// TestMalformedBodiesNever500 throws truncated and mangled versions of a
// valid object at every write verb: the answer is a 4xx, never a 5xx.
func TestMalformedBodiesNever500(t *testing.T) {
	s := server(t)
	ns := s.CreateNamespace(t)
	base := "/apis/apps/v1/namespaces/" + ns + "/deployments"
	valid := `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"app":"a"}},"template":{"metadata":{"labels":{"app":"a"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}}`
	if r := do(t, s, "POST", base, "application/json", "", []byte(valid)); r.code != http.StatusCreated {
		t.Fatalf("setup: %d %s", r.code, r.message())
	}
	var bodies []string
	for i := 1; i < len(valid); i += 7 {
		bodies = append(bodies, valid[:i])
	}
	bodies = append(bodies,
		strings.ReplaceAll(valid, `"x"`, `7`),
		strings.ReplaceAll(valid, `{"name":"c"`, `{"name":["c"]`),
		strings.ReplaceAll(valid, `"matchLabels"`, `"matchExpressions"`),
		strings.ReplaceAll(valid, `"containers":[`, `"containers":{"a":`),
		`{"spec":{"replicas":1e400}}`, `{"spec":{"replicas":-9999999999999}}`, "\x00\x01\x02", `"just a string"`, `{"metadata":null}`,
	)
	targets := []struct{ method, path, ct string }{
		{"POST", base, "application/json"},
		{"PUT", base + "/d", "application/json"},
		{"PATCH", base + "/d", "application/merge-patch+json"},
		{"PATCH", base + "/d", "application/strategic-merge-patch+json"},
		{"PATCH", base + "/d", "application/json-patch+json"},
		{"PATCH", base + "/d?fieldManager=fuzz", "application/apply-patch+yaml"},
		{"PUT", base + "/d/status", "application/json"},
		{"PUT", base + "/d/scale", "application/json"},
		{"PATCH", base + "/d/scale", "application/merge-patch+json"},
	}
	for _, tg := range targets {
		for _, b := range bodies {
			r := do(t, s, tg.method, tg.path, tg.ct, "", []byte(b))
			if r.code >= 500 {
				t.Errorf("%s %s (%s) with %q: %d %s", tg.method, tg.path, tg.ct, b, r.code, r.message())
			}
		}
	}
}
