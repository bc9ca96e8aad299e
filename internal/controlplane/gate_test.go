package controlplane

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/authz"
)

// TestSyncGate: until the informers are loaded, only system:masters and
// requests without a bearer token go through at once; the others wait for
// the gate and get 503 if it stays shut.
func TestSyncGate(t *testing.T) {
	alice := &authn.User{Name: "alice"}
	admin := &authn.User{Name: "admin", Groups: []string{authn.SystemMasters}}
	allowAll := authz.AlwaysAllow{}
	tests := []struct {
		name      string
		open      bool
		user      *authn.User
		bearer    bool
		wantAllow bool
		want503   bool
	}{
		{"masters are served before the gate opens", false, admin, false, true, false},
		{"others wait, then 503", false, alice, false, false, true},
		{"a bearer token waits, then 503", false, nil, true, false, true},
		{"a request without a token is not held", false, nil, false, false, false},
		{"after opening, everyone is decided", true, alice, true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newSyncGate(20 * time.Millisecond)
			if tt.open {
				g.open()
			}
			if tt.user != nil {
				z := authz.Union{authz.SystemMasters{}, gatedAuthorizer{gate: g, next: allowAll}}
				d, _, err := z.Authorize(context.Background(), authz.Attributes{User: tt.user})
				if (d == authz.Allow) != tt.wantAllow || apierrors.IsServiceUnavailable(err) != tt.want503 {
					t.Fatalf("decision %v err %v", d, err)
				}
			}
			r := httptest.NewRequest("GET", "/api", nil)
			if tt.bearer {
				r.Header.Set("Authorization", "Bearer x")
			}
			_, _, err := gatedTokens{gate: g, next: authn.RejectBearer{}}.Authenticate(r)
			if tt.user == nil && apierrors.IsServiceUnavailable(err) != tt.want503 {
				t.Fatalf("authenticate: %v", err)
			}
		})
	}
}

// TestSyncGateOpensWaiters: a request waiting on the gate proceeds as soon
// as it opens.
func TestSyncGateOpensWaiters(t *testing.T) {
	g := newSyncGate(5 * time.Second)
	done := make(chan error, 1)
	go func() { done <- g.await(context.Background()) }()
	time.Sleep(10 * time.Millisecond)
	g.open()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Second):
		t.Fatal("the waiter was not released")
	}
}
