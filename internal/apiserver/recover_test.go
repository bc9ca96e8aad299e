package apiserver

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sirupsen/logrus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestRecoverPanic(t *testing.T) {
	// The expected panics are logged with their stacks; keep them out of
	// the test output.
	out := logrus.StandardLogger().Out
	logrus.SetOutput(io.Discard)
	defer logrus.SetOutput(out)
	tests := []struct {
		name  string
		panic interface{}
		code  int // 0: the panic must go on
	}{
		{"no panic", nil, http.StatusOK},
		{"a bug", "index out of range", http.StatusInternalServerError},
		{"an error", errString("boom"), http.StatusInternalServerError},
		{"abort", http.ErrAbortHandler, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodGet, "/api/v1/pods", nil)
			repanicked := func() (p interface{}) {
				defer func() { p = recover() }()
				func() {
					defer recoverPanic(rec, r)
					if tt.panic != nil {
						panic(tt.panic)
					}
					rec.WriteHeader(http.StatusOK)
				}()
				return nil
			}()
			if tt.code == 0 {
				if repanicked != tt.panic {
					t.Errorf("panic %v not passed on (got %v)", tt.panic, repanicked)
				}
				return
			}
			if repanicked != nil || rec.Code != tt.code {
				t.Fatalf("code %d, panic %v; want %d", rec.Code, repanicked, tt.code)
			}
			if tt.panic != nil {
				st := metav1.Status{}
				if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil || st.Kind != "Status" || st.Code != 500 {
					t.Errorf("body %q is not a 500 Status: %v", rec.Body.String(), err)
				}
			}
		})
	}
}
