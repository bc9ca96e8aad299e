package authn

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRejectBearer(t *testing.T) {
	tests := []struct {
		name    string
		header  string
		wantErr bool
	}{
		{"no header", "", false},
		{"basic auth is not ours", "Basic dXNlcjpwYXNz", false},
		{"bearer token", "Bearer abc.def", true},
		{"scheme in any case, spaces around", "  bEaReR   abc  ", true},
		{"bearer without a token", "Bearer ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			u, ok, err := RejectBearer{}.Authenticate(r)
			if u != nil || ok {
				t.Fatalf("RejectBearer authenticated %+v", u)
			}
			if got := errors.Is(err, ErrInvalidBearerToken); got != tt.wantErr {
				t.Fatalf("err=%v, want error %v", err, tt.wantErr)
			}
			if HasBearerToken(r) != tt.wantErr {
				t.Fatalf("HasBearerToken=%v", !tt.wantErr)
			}
		})
	}
}

// TestUnionWithRejectBearer: the first authenticator that recognises a
// credential wins, an error from one stops the search, and a bearer token
// nobody took ends in RejectBearer's error rather than anonymous.
func TestUnionWithRejectBearer(t *testing.T) {
	alice := fixed{user: &User{Name: "alice"}}
	tests := []struct {
		name     string
		chain    Union
		bearer   bool
		wantUser string
		wantErr  bool
	}{
		{"first match wins", Union{fixed{}, alice, RejectBearer{}}, true, "alice", false},
		{"no credential is anonymous", Union{fixed{}, RejectBearer{}}, false, "", false},
		{"unknown bearer token is refused", Union{fixed{}, RejectBearer{}}, true, "", true},
		{"an error stops the chain", Union{fixed{err: errors.New("bad")}, alice}, true, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api", nil)
			if tt.bearer {
				r.Header.Set("Authorization", "Bearer t")
			}
			u, ok, err := tt.chain.Authenticate(r)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err=%v", err)
			}
			if ok != (tt.wantUser != "") || ok && u.Name != tt.wantUser {
				t.Fatalf("user %+v ok=%v", u, ok)
			}
			if ok && !u.InGroup(AllAuthenticated) {
				t.Fatalf("groups %v lack %s", u.Groups, AllAuthenticated)
			}
		})
	}
}

type fixed struct {
	user *User
	err  error
}

func (f fixed) Authenticate(*http.Request) (*User, bool, error) {
	if f.err != nil {
		return nil, false, f.err
	}
	if f.user == nil {
		return nil, false, nil
	}
	u := *f.user
	return &u, true, nil
}
