package authentication

import (
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

var api = []string{"https://kubernetes.default.svc.cluster.local"}

func seconds(s int64) *int64 { return &s }

func TestDefaultTokenRequest(t *testing.T) {
	req := &authenticationv1.TokenRequest{}
	DefaultTokenRequest(req, api)
	if len(req.Spec.Audiences) != 1 || req.Spec.Audiences[0] != api[0] || *req.Spec.ExpirationSeconds != 3600 {
		t.Fatalf("defaults: %+v", req.Spec)
	}
	req = &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{Audiences: []string{"vault"}, ExpirationSeconds: seconds(7200)}}
	DefaultTokenRequest(req, api)
	if req.Spec.Audiences[0] != "vault" || *req.Spec.ExpirationSeconds != 7200 {
		t.Fatalf("defaults overrode the request: %+v", req.Spec)
	}
}

func TestValidateTokenRequest(t *testing.T) {
	valid := func(mutate func(*authenticationv1.TokenRequest)) *authenticationv1.TokenRequest {
		req := &authenticationv1.TokenRequest{}
		DefaultTokenRequest(req, api)
		if mutate != nil {
			mutate(req)
		}
		return req
	}
	tests := []struct {
		name string
		req  *authenticationv1.TokenRequest
		want []registrytest.WantErr
	}{
		{"defaults", valid(nil), nil},
		{"same name and namespace as the URL", valid(func(r *authenticationv1.TokenRequest) { r.ObjectMeta = metav1.ObjectMeta{Name: "sa", Namespace: "ns"} }), nil},
		{"other name", valid(func(r *authenticationv1.TokenRequest) { r.Name = "x" }), []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "metadata.name"}}},
		{"other namespace", valid(func(r *authenticationv1.TokenRequest) { r.Namespace = "x" }), []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "metadata.namespace"}}},
		{"ten minutes is the least", valid(func(r *authenticationv1.TokenRequest) { r.Spec.ExpirationSeconds = seconds(600) }), nil},
		{"under ten minutes", valid(func(r *authenticationv1.TokenRequest) { r.Spec.ExpirationSeconds = seconds(599) }), []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.expirationSeconds"}}},
		{"over 2^32 s", valid(func(r *authenticationv1.TokenRequest) { r.Spec.ExpirationSeconds = seconds(1<<32 + 1) }), []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.expirationSeconds"}}},
		{"empty audience", valid(func(r *authenticationv1.TokenRequest) { r.Spec.Audiences = []string{"a", ""} }), []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.audiences[1]"}}},
		{"bound object without name or kind", valid(func(r *authenticationv1.TokenRequest) {
			r.Spec.BoundObjectRef = &authenticationv1.BoundObjectReference{}
		}),
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.boundObjectRef.name"}, {Type: field.ErrorTypeRequired, Field: "spec.boundObjectRef.kind"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			registrytest.CheckErrors(t, ValidateTokenRequest(tt.req, "sa", "ns"), tt.want...)
		})
	}
}

func TestLifetime(t *testing.T) {
	req := func(exp int64, auds ...string) *authenticationv1.TokenRequest {
		r := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{Audiences: auds, ExpirationSeconds: seconds(exp)}}
		DefaultTokenRequest(r, api)
		return r
	}
	hour7 := time.Hour + 7*time.Second
	tests := []struct {
		name          string
		req           *authenticationv1.TokenRequest
		podBound      bool
		extend        bool
		wantExp, want time.Duration
	}{
		{"as asked", req(7200), true, true, 2 * time.Hour, 0},
		{"kubelet's projected token is extended", req(3607), true, true, ExtendedExpiration, hour7},
		{"not when not bound to a pod", req(3607), false, true, hour7, 0},
		{"not for other audiences", req(3607, "vault"), true, true, hour7, 0},
		{"not when extension is off", req(3607), true, false, hour7, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp, warn := Lifetime(tt.req, tt.podBound, api, tt.extend)
			if exp != tt.wantExp || warn != tt.want {
				t.Fatalf("got %v warn after %v", exp, warn)
			}
		})
	}
}
