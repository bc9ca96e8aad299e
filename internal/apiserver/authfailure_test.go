package apiserver

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestAuthenticationFailed(t *testing.T) {
	unavailable := apierrors.NewServiceUnavailable("caches not synced")
	tests := []struct {
		name     string
		err      error
		wantCode int32
		wantMsg  string
	}{
		{"a refused credential says no more than Unauthorized", errors.New("invalid bearer token: signature does not verify"), http.StatusUnauthorized, "Unauthorized"},
		{"a wrapped API error is still a 401", fmt.Errorf("looking up pod: %w", apierrors.NewNotFound(schema.GroupResource{Resource: "pods"}, "p")), http.StatusUnauthorized, "Unauthorized"},
		{"503 passes", unavailable, http.StatusServiceUnavailable, "caches not synced"},
		{"wrapped 503 passes", fmt.Errorf("authn: %w", unavailable), http.StatusServiceUnavailable, "caches not synced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := authenticationFailed(httptest.NewRequest("GET", "/api", nil), tt.err)
			var status apierrors.APIStatus
			if !errors.As(err, &status) {
				t.Fatalf("%v is not a Status", err)
			}
			if s := status.Status(); s.Code != tt.wantCode || s.Message != tt.wantMsg {
				t.Fatalf("got %d %q", s.Code, s.Message)
			}
		})
	}
	if statusError(nil) != nil {
		t.Fatal("statusError(nil) != nil")
	}
}
