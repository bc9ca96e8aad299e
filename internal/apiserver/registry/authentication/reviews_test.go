package authentication

import (
	"context"
	"errors"
	"reflect"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// tokens knows one token, "good", valid for the API and for "vault".
type tokens struct{}

func (tokens) ReviewToken(_ context.Context, token string, audiences []string) (*authn.User, []string, bool, error) {
	if token != "good" {
		return nil, nil, false, errors.New("invalid bearer token")
	}
	if len(audiences) == 0 {
		audiences = []string{"api"}
	}
	var valid []string
	for _, a := range audiences {
		if a == "api" || a == "vault" {
			valid = append(valid, a)
		}
	}
	if len(valid) == 0 {
		return nil, nil, false, errors.New("token audiences are invalid")
	}
	return &authn.User{Name: "system:serviceaccount:ns:sa", UID: "u1", Groups: []string{"system:serviceaccounts"}}, valid, true, nil
}

func resource(t *testing.T, kind string) *registry.Resource {
	t.Helper()
	for _, r := range Resources(tokens{}) {
		if r.Kind == kind {
			if !r.Virtual() || r.NewList != nil || r.Namespaced {
				t.Fatalf("%s must be virtual, unlistable and cluster-scoped", kind)
			}
			return r
		}
	}
	t.Fatalf("no %s", kind)
	return nil
}

func TestSelfSubjectReview(t *testing.T) {
	res := resource(t, "SelfSubjectReview")
	u := &authn.User{Name: "alice", UID: "a1", Groups: []string{"dev", authn.AllAuthenticated}, Extra: map[string][]string{"scopes": {"x"}}}
	out, err := res.Create(authn.WithUser(context.Background(), u), &authenticationv1.SelfSubjectReview{})
	if err != nil {
		t.Fatal(err)
	}
	want := authenticationv1.UserInfo{Username: "alice", UID: "a1", Groups: []string{"dev", authn.AllAuthenticated},
		Extra: map[string]authenticationv1.ExtraValue{"scopes": {"x"}}}
	if got := out.(*authenticationv1.SelfSubjectReview).Status.UserInfo; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v", got)
	}
	if _, err := res.Create(context.Background(), &authenticationv1.SelfSubjectReview{}); !apierrors.IsBadRequest(err) {
		t.Fatalf("no user: %v, want 400", err)
	}
}

func TestTokenReview(t *testing.T) {
	res := resource(t, "TokenReview")
	tests := []struct {
		name      string
		spec      authenticationv1.TokenReviewSpec
		wantAuth  bool
		wantUser  string
		wantAuds  []string
		wantError string
	}{
		{"a good token for the API", authenticationv1.TokenReviewSpec{Token: "good"}, true, "system:serviceaccount:ns:sa", []string{"api"}, ""},
		{"a good token for another audience", authenticationv1.TokenReviewSpec{Token: "good", Audiences: []string{"vault", "other"}}, true, "system:serviceaccount:ns:sa", []string{"vault"}, ""},
		{"a good token for nobody it knows", authenticationv1.TokenReviewSpec{Token: "good", Audiences: []string{"other"}}, false, "", nil, "token audiences are invalid"},
		{"a bad token is an answer, not an error", authenticationv1.TokenReviewSpec{Token: "bad"}, false, "", nil, "invalid bearer token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := res.Create(context.Background(), &authenticationv1.TokenReview{Spec: tt.spec})
			if err != nil {
				t.Fatal(err)
			}
			review := out.(*authenticationv1.TokenReview)
			st := review.Status
			if st.Authenticated != tt.wantAuth || st.User.Username != tt.wantUser || !reflect.DeepEqual(st.Audiences, tt.wantAuds) || st.Error != tt.wantError {
				t.Fatalf("status %+v", st)
			}
			if review.Spec.Token != "" {
				t.Fatal("the token is echoed back")
			}
		})
	}
	if _, err := res.Create(context.Background(), &authenticationv1.TokenReview{}); !apierrors.IsBadRequest(err) {
		t.Fatalf("no token: %v, want 400", err)
	}
}
