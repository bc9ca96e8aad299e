package apiserver_test

import (
	"net/http"
	"strings"
	"testing"

	utilnet "k8s.io/apimachinery/pkg/util/net"
)

// warningTexts are the texts of a response's Warning headers.
func warningTexts(t *testing.T, h http.Header) []string {
	t.Helper()
	parsed, errs := utilnet.ParseWarningHeaders(h.Values("Warning"))
	if len(errs) > 0 {
		t.Errorf("malformed Warning headers %q: %v", h.Values("Warning"), errs)
	}
	var texts []string
	for _, w := range parsed {
		texts = append(texts, w.Text)
	}
	return texts
}

// TestFieldValidation: unknown and duplicate fields are refused with
// fieldValidation=Strict (400 for a body, 422 for a patch, as upstream;
// naming the field either way), reported as Warning headers with Warn (the
// default) and ignored with Ignore, for every way of writing an object.
func TestFieldValidation(t *testing.T) {
	s := server(t)
	ns := s.CreateNamespace(t)
	base := "/api/v1/namespaces/" + ns + "/configmaps"
	deploys := "/apis/apps/v1/namespaces/" + ns + "/deployments"
	for _, name := range []string{"put-target", "patch-target"} {
		if r := do(t, s, http.MethodPost, base, "application/json", "", []byte(`{"metadata":{"name":"`+name+`"},"data":{"a":"1"}}`)); r.code != http.StatusCreated {
			t.Fatalf("creating %s: %d %s", name, r.code, r.message())
		}
	}
	deployment := func(extra string) string {
		return `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"nested"},"spec":{"selector":{"matchLabels":{"app":"a"}},` +
			`"template":{"metadata":{"labels":{"app":"a"}},"spec":{"containers":[{"name":"c","image":"x"` + extra + `}]}}}}`
	}

	tests := []struct {
		name       string
		method     string
		path       string
		ct         string
		body       string
		validation string
		code       int
		mention    string // in the error message, or in a warning on success
	}{
		{"create strict unknown", "POST", base, "application/json", `{"metadata":{"name":"s1"},"bogus":1}`, "Strict", 400, `unknown field "bogus"`},
		{"create strict nested unknown", "POST", deploys, "application/json", deployment(`,"bogus":1`), "Strict", 400,
			`unknown field "spec.template.spec.containers[0].bogus"`},
		{"create strict duplicate", "POST", base, "application/json", `{"metadata":{"name":"s2"},"data":{"a":"1"},"data":{"b":"2"}}`, "Strict", 400, `duplicate field "data"`},
		{"create strict yaml unknown", "POST", base, "application/yaml", "metadata:\n  name: s3\nbogus: 1\n", "Strict", 400, `unknown field "bogus"`},
		{"create warn unknown", "POST", base, "application/json", `{"metadata":{"name":"w1"},"bogus":1}`, "Warn", 201, `unknown field "bogus"`},
		{"create default warns", "POST", base, "application/json", `{"metadata":{"name":"w2"},"bogus":1}`, "", 201, `unknown field "bogus"`},
		{"create warn duplicate", "POST", base, "application/json", `{"metadata":{"name":"w3"},"data":{"a":"1"},"data":{"b":"2"}}`, "Warn", 201, `duplicate field "data"`},
		{"create ignore", "POST", base, "application/json", `{"metadata":{"name":"i1"},"bogus":1}`, "Ignore", 201, ""},
		{"bad directive", "POST", base, "application/json", `{"metadata":{"name":"b1"}}`, "Loose", 400, "fieldValidation"},
		{"update strict unknown", "PUT", base + "/put-target", "application/json", `{"metadata":{"name":"put-target"},"bogus":1}`, "Strict", 400, `unknown field "bogus"`},
		{"update warn unknown", "PUT", base + "/put-target", "application/json", `{"metadata":{"name":"put-target"},"bogus":1}`, "Warn", 200, `unknown field "bogus"`},
		{"merge patch strict unknown", "PATCH", base + "/patch-target", "application/merge-patch+json", `{"bogus":1}`, "Strict", 422, `unknown field "bogus"`},
		{"merge patch strict duplicate", "PATCH", base + "/patch-target", "application/merge-patch+json", `{"data":{"a":"1"},"data":{"b":"2"}}`, "Strict", 422, `duplicate field "data"`},
		{"merge patch warn unknown", "PATCH", base + "/patch-target", "application/merge-patch+json", `{"bogus":1}`, "Warn", 200, `unknown field "bogus"`},
		{"strategic patch strict unknown", "PATCH", base + "/patch-target", "application/strategic-merge-patch+json", `{"bogus":1}`, "Strict", 422, `unknown field "bogus"`},
		{"strategic patch warn unknown", "PATCH", base + "/patch-target", "application/strategic-merge-patch+json", `{"bogus":1}`, "Warn", 200, `unknown field "bogus"`},
		{"json patch strict unknown", "PATCH", base + "/patch-target", "application/json-patch+json", `[{"op":"add","path":"/bogus","value":1}]`, "Strict", 422, `unknown field "bogus"`},
		{"apply strict duplicate", "PATCH", base + "/patch-target", "application/apply-patch+yaml",
			"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: patch-target\ndata:\n  a: '1'\ndata:\n  b: '2'\n", "Strict", 400, `"data"`},
		{"apply warn duplicate", "PATCH", base + "/patch-target", "application/apply-patch+yaml",
			"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: patch-target\ndata:\n  a: '1'\ndata:\n  b: '2'\n", "Warn", 200, `"data"`},
		{"apply unknown field", "PATCH", base + "/patch-target", "application/apply-patch+yaml",
			"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: patch-target\nbogus: 1\n", "Ignore", 400, `bogus`},
		{"apply wrong type", "PATCH", base + "/patch-target", "application/apply-patch+yaml",
			"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: patch-target\ndata: 7\n", "", 400, `data`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			q := []string{}
			if tt.validation != "" {
				q = append(q, "fieldValidation="+tt.validation)
			}
			if tt.ct == "application/apply-patch+yaml" {
				q = append(q, "fieldManager=test")
			}
			if len(q) > 0 {
				path += "?" + strings.Join(q, "&")
			}
			r := do(t, s, tt.method, path, tt.ct, "", []byte(tt.body))
			if r.code != tt.code {
				t.Fatalf("got %d (%s), want %d", r.code, r.message(), tt.code)
			}
			warnings := strings.Join(warningTexts(t, r.header), "\n")
			switch {
			case tt.code >= 400 && !strings.Contains(r.message(), tt.mention):
				t.Errorf("error %q does not mention %s", r.message(), tt.mention)
			case tt.code < 400 && tt.mention != "" && !strings.Contains(warnings, tt.mention):
				t.Errorf("warnings %q do not mention %s", warnings, tt.mention)
			case tt.code < 400 && tt.mention == "" && warnings != "":
				t.Errorf("unexpected warnings %q", warnings)
			}
		})
	}
}
