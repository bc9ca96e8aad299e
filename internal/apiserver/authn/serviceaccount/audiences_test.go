package serviceaccount

import (
	"context"
	"reflect"
	"testing"
)

// TestForAudiences: TokenReview's spec.audiences replaces the API server's
// own audiences for one check, without changing the original authenticator.
func TestForAudiences(t *testing.T) {
	e := newEnv(t)
	api := e.authenticator(t)
	forWebhook := func(r *TokenRequest) { r.Audiences = []string{"webhook", "other"} }
	tests := []struct {
		name      string
		auth      *Authenticator
		token     string
		wantOK    bool
		wantAuds  []string
		wantOwnAs []string // Audiences() of auth
	}{
		{"API token for the API", api, e.bound(t), true, []string{testIssuer}, []string{testIssuer}},
		{"webhook token refused by the API", api, e.bound(t, forWebhook), false, []string{"webhook", "other"}, []string{testIssuer}},
		{"webhook token for the webhook", api.ForAudiences([]string{"webhook"}), e.bound(t, forWebhook), true, []string{"webhook", "other"}, []string{"webhook"}},
		{"API token refused by the webhook", api.ForAudiences([]string{"webhook"}), e.bound(t), false, []string{testIssuer}, []string{"webhook"}},
		{"legacy tokens have no audience", api, e.legacy(t), true, nil, []string{testIssuer}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ok, _ := tt.auth.AuthenticateToken(context.Background(), tt.token)
			if ok != tt.wantOK {
				t.Fatalf("ok=%v, want %v", ok, tt.wantOK)
			}
			if got := TokenAudiences(tt.token); !reflect.DeepEqual(got, tt.wantAuds) {
				t.Fatalf("TokenAudiences=%q, want %q", got, tt.wantAuds)
			}
			if got := tt.auth.Audiences(); !reflect.DeepEqual(got, tt.wantOwnAs) {
				t.Fatalf("Audiences()=%q, want %q", got, tt.wantOwnAs)
			}
		})
	}
	if got := TokenAudiences("not-a-jwt"); got != nil {
		t.Fatalf("TokenAudiences of garbage = %q", got)
	}
}
