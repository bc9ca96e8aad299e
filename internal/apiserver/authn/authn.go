// Package authn holds the API server's authentication plugins: each looks at
// a request and either names the user behind it or says it has no opinion.
// The first plugin that recognises a credential wins; a credential that is
// presented but wrong is an error (401), never a fall-through to anonymous.
package authn

import (
	"context"
	"net/http"
)

// Well-known users and groups, as upstream names them.
const (
	Anonymous          = "system:anonymous"
	AllUnauthenticated = "system:unauthenticated"
	AllAuthenticated   = "system:authenticated"
	SystemMasters      = "system:masters"
)

// User is who a request comes from.
type User struct {
	Name   string
	UID    string
	Groups []string
	Extra  map[string][]string
}

// InGroup tells whether u belongs to group.
func (u *User) InGroup(group string) bool {
	for _, g := range u.Groups {
		if g == group {
			return true
		}
	}
	return false
}

// Authenticator recognises one kind of credential. ok is false when the
// request carries no credential of this kind.
type Authenticator interface {
	Authenticate(r *http.Request) (user *User, ok bool, err error)
}

// Union tries each authenticator in order.
type Union []Authenticator

// Authenticate returns the first user any authenticator recognises. An
// error from one whose credential was present stops the search.
func (u Union) Authenticate(r *http.Request) (*User, bool, error) {
	for _, a := range u {
		user, ok, err := a.Authenticate(r)
		if err != nil {
			return nil, false, err
		}
		if ok {
			if !user.InGroup(AllAuthenticated) {
				user.Groups = append(user.Groups, AllAuthenticated)
			}
			return user, true, nil
		}
	}
	return nil, false, nil
}

// AnonymousUser is the user of requests with no credential at all.
func AnonymousUser() *User {
	return &User{Name: Anonymous, Groups: []string{AllUnauthenticated}}
}

type userKey struct{}

// WithUser stores u in ctx.
func WithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// UserFrom returns the user stored in ctx.
func UserFrom(ctx context.Context) (*User, bool) {
	u, ok := ctx.Value(userKey{}).(*User)
	return u, ok
}
