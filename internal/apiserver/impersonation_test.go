package apiserver

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/authz"
)

// mayImpersonate lets "lead" impersonate the user bob, the service account
// ns/builder, the group devs, the extra scopes=read and the uid u1.
type mayImpersonate struct{}

func (mayImpersonate) Authorize(_ context.Context, a authz.Attributes) (authz.Decision, string, error) {
	if a.User.Name != "lead" || a.Verb != "impersonate" {
		return authz.NoOpinion, "", nil
	}
	switch a.Resource + "/" + a.Subresource + "/" + a.Namespace + "/" + a.Name {
	case "users///bob", "serviceaccounts//ns/builder", "groups///devs", "userextras/scopes//read", "uids///u1",
		"users///system:anonymous", "groups///system:authenticated":
		return authz.Allow, "", nil
	}
	return authz.NoOpinion, "", nil
}

func TestImpersonate(t *testing.T) {
	s := &Server{cfg: Config{Authorizer: mayImpersonate{}}}
	lead := &authn.User{Name: "lead", Groups: []string{authn.AllAuthenticated}}
	tests := []struct {
		name       string
		actor      *authn.User
		headers    map[string][]string
		wantUser   string
		wantGroups string
		wantUID    string
		wantExtra  string
		wantErr    func(error) bool
		wantMsg    string
	}{
		{name: "no headers: the caller", actor: lead, wantUser: "lead", wantGroups: "system:authenticated"},
		{name: "a user", actor: lead, headers: map[string][]string{"Impersonate-User": {"bob"}},
			wantUser: "bob", wantGroups: "system:authenticated"},
		{name: "a user in a group, with extra and uid", actor: lead, headers: map[string][]string{
			"Impersonate-User": {"bob"}, "Impersonate-Group": {"devs"}, "Impersonate-Extra-Scopes": {"read"}, "Impersonate-Uid": {"u1"}},
			wantUser: "bob", wantGroups: "devs,system:authenticated", wantUID: "u1", wantExtra: "scopes=read"},
		{name: "system:authenticated asked for is not added twice", actor: lead, headers: map[string][]string{
			"Impersonate-User": {"bob"}, "Impersonate-Group": {"system:authenticated"}}, wantUser: "bob", wantGroups: "system:authenticated"},
		{name: "a service account gets its groups", actor: lead, headers: map[string][]string{"Impersonate-User": {"system:serviceaccount:ns:builder"}},
			wantUser: "system:serviceaccount:ns:builder", wantGroups: "system:serviceaccounts,system:serviceaccounts:ns,system:authenticated"},
		{name: "anonymous is unauthenticated", actor: lead, headers: map[string][]string{"Impersonate-User": {"system:anonymous"}},
			wantUser: "system:anonymous", wantGroups: "system:unauthenticated"},
		{name: "a user not allowed", actor: lead, headers: map[string][]string{"Impersonate-User": {"root"}}, wantErr: apierrors.IsForbidden,
			wantMsg: `users "root" is forbidden: User "lead" cannot impersonate resource "users" in API group "" at the cluster scope`},
		{name: "a group not allowed", actor: lead, headers: map[string][]string{"Impersonate-User": {"bob"}, "Impersonate-Group": {"system:masters"}},
			wantErr: apierrors.IsForbidden, wantMsg: `groups "system:masters" is forbidden: User "lead" cannot impersonate resource "groups" in API group "" at the cluster scope`},
		{name: "someone else may not", actor: &authn.User{Name: "eve"}, headers: map[string][]string{"Impersonate-User": {"bob"}}, wantErr: apierrors.IsForbidden},
		{name: "a group without a user", actor: lead, headers: map[string][]string{"Impersonate-Group": {"devs"}}, wantErr: apierrors.IsBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api", nil)
			for k, vs := range tt.headers {
				for _, v := range vs {
					r.Header.Add(k, v)
				}
			}
			u, err := s.impersonate(context.Background(), r, tt.actor)
			if tt.wantErr != nil {
				if !tt.wantErr(err) || (tt.wantMsg != "" && err.Error() != tt.wantMsg) {
					t.Fatalf("got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var extra []string
			for k, v := range u.Extra {
				extra = append(extra, k+"="+strings.Join(v, ","))
			}
			if u.Name != tt.wantUser || strings.Join(u.Groups, ",") != tt.wantGroups || u.UID != tt.wantUID || strings.Join(extra, ";") != tt.wantExtra {
				t.Fatalf("got %+v", u)
			}
			for name := range r.Header {
				if isImpersonationHeader(name) {
					t.Fatalf("header %s left on the request", name)
				}
			}
		})
	}
}
