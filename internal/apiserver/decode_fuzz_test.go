package apiserver

import (
	"net/http/httptest"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// FuzzDecodeObject feeds arbitrary bodies in every content type to the
// request decoder: it must never panic, and any failure must be a 4xx API
// error (a malformed body is the client's fault, never a 500).
func FuzzDecodeObject(f *testing.F) {
	f.Add([]byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"},"spec":{"containers":[{"name":"c","image":"i"}]}}`), uint8(0))
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n"), uint8(1))
	f.Add([]byte("k8s\x00\n\x02v1\x12\x03Pod"), uint8(2))
	f.Add([]byte(`{"apiVersion":"apps/v1","kind":"Deployment"}`), uint8(0))
	f.Add([]byte(`{"metadata":{"name":"a","name":"b"}}`), uint8(0))
	types := []string{"application/json", "application/yaml", "application/vnd.kubernetes.protobuf", "text/plain"}
	f.Fuzz(func(t *testing.T, body []byte, ct uint8) {
		r := httptest.NewRequest("POST", "/api/v1/namespaces/default/pods", strings.NewReader(""))
		r.Header.Set("Content-Type", types[int(ct)%len(types)])
		for _, v := range []string{"Strict", "Warn", "Ignore"} {
			_, err := decodeObject(r, body, corev1.SchemeGroupVersion.WithKind("Pod"), &corev1.Pod{}, v)
			if err == nil {
				continue
			}
			status, ok := err.(apierrors.APIStatus)
			if !ok {
				t.Fatalf("decode error is not an API error: %v", err)
			}
			if code := status.Status().Code; code < 400 || code >= 500 {
				t.Fatalf("decode error has code %d: %v", code, err)
			}
		}
	})
}
