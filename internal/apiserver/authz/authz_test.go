package authz

import (
	"context"
	"errors"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
)

type fixed struct {
	d      Decision
	reason string
	err    error
}

func (f fixed) Authorize(context.Context, Attributes) (Decision, string, error) {
	return f.d, f.reason, f.err
}

func TestUnion(t *testing.T) {
	boom := errors.New("cache not ready")
	tests := []struct {
		name       string
		chain      Union
		want       Decision
		wantReason string
		wantErr    bool
	}{
		{"empty chain has no opinion", Union{}, NoOpinion, "", false},
		{"first allow wins", Union{fixed{}, fixed{d: Allow, reason: "ok"}, fixed{d: Deny}}, Allow, "ok", false},
		{"deny stops the chain", Union{fixed{d: Deny, reason: "no"}, fixed{d: Allow}}, Deny, "no", false},
		{"an error does not stop the chain", Union{fixed{err: boom}, fixed{d: Allow}}, Allow, "", false},
		{"reasons and errors are kept", Union{fixed{reason: "a"}, fixed{err: boom}, fixed{reason: "b"}}, NoOpinion, "a\nb", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, reason, err := tt.chain.Authorize(context.Background(), Attributes{})
			if d != tt.want || reason != tt.wantReason || (err != nil) != tt.wantErr {
				t.Fatalf("got %v %q %v", d, reason, err)
			}
			if tt.wantErr && !errors.Is(err, boom) {
				t.Fatalf("error %v does not wrap the plugin's", err)
			}
		})
	}
}

type rules struct {
	res        []authorizationv1.ResourceRule
	incomplete bool
	err        error
}

func (r rules) RulesFor(*authn.User, string) ([]authorizationv1.ResourceRule, []authorizationv1.NonResourceRule, bool, error) {
	return r.res, nil, r.incomplete, r.err
}

func TestRuleResolvers(t *testing.T) {
	admin := &authn.User{Name: "admin", Groups: []string{authn.SystemMasters}}
	alice := &authn.User{Name: "alice"}
	get := authorizationv1.ResourceRule{Verbs: []string{"get"}, Resources: []string{"pods"}}
	tests := []struct {
		name           string
		user           *authn.User
		chain          RuleResolvers
		wantRules      int
		wantNonRes     int
		wantIncomplete bool
		wantErr        bool
	}{
		{"masters get everything", admin, RuleResolvers{SystemMasters{}}, 1, 1, false, false},
		{"others get nothing from masters", alice, RuleResolvers{SystemMasters{}}, 0, 0, false, false},
		{"rules add up", alice, RuleResolvers{SystemMasters{}, rules{res: []authorizationv1.ResourceRule{get}}, rules{res: []authorizationv1.ResourceRule{get}}}, 2, 0, false, false},
		{"one incomplete makes all incomplete", alice, RuleResolvers{rules{incomplete: true, err: errors.New("x")}, rules{res: []authorizationv1.ResourceRule{get}}}, 1, 0, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, non, inc, err := tt.chain.RulesFor(tt.user, "default")
			if len(res) != tt.wantRules || len(non) != tt.wantNonRes || inc != tt.wantIncomplete || (err != nil) != tt.wantErr {
				t.Fatalf("got %d rules, %d non-resource, incomplete=%v, err=%v", len(res), len(non), inc, err)
			}
		})
	}
}
