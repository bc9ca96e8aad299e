package controlplane

import (
	"context"
	"net/http"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/authz"
)

// syncGate holds back the requests whose answer depends on the informers
// (RBAC and Node decisions, token lookups) until the informers have synced
// and hold the bootstrap policy. Until then an RBAC "no" would only mean
// "not loaded yet": a request waits up to wait for the gate and then gets
// 503, never a wrong 401 or 403. system:masters requests, which the loopback
// client itself makes to fill the informers, never wait: the chain allows
// them before any gated plugin is asked.
type syncGate struct {
	done chan struct{}
	once sync.Once
	wait time.Duration
}

// gateWait is how long a request waits for a server still starting; start-up
// takes well under it.
const gateWait = 5 * time.Second

func newSyncGate(wait time.Duration) *syncGate {
	return &syncGate{done: make(chan struct{}), wait: wait}
}

// open lets every request through from now on.
func (g *syncGate) open() { g.once.Do(func() { close(g.done) }) }

// await returns nil once the gate is open, or a 503 Status when it stays
// shut for g.wait or the request ends first.
func (g *syncGate) await(ctx context.Context) error {
	select {
	case <-g.done:
		return nil
	default:
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case <-g.done:
		return nil
	case <-t.C:
	case <-ctx.Done():
	}
	return apierrors.NewServiceUnavailable("the API server is starting: its authentication and authorization data are not loaded yet")
}

// gatedTokens puts the bearer-token authenticators behind the gate. A
// request without a bearer token never waits.
type gatedTokens struct {
	gate *syncGate
	next authn.Authenticator
}

func (g gatedTokens) Authenticate(r *http.Request) (*authn.User, bool, error) {
	if !authn.HasBearerToken(r) {
		return nil, false, nil
	}
	if err := g.gate.await(r.Context()); err != nil {
		return nil, false, err
	}
	return g.next.Authenticate(r)
}

// gatedAuthorizer puts the informer-backed authorizers behind the gate.
type gatedAuthorizer struct {
	gate *syncGate
	next authz.Authorizer
}

func (g gatedAuthorizer) Authorize(ctx context.Context, a authz.Attributes) (authz.Decision, string, error) {
	if err := g.gate.await(ctx); err != nil {
		return authz.NoOpinion, "", err
	}
	return g.next.Authorize(ctx, a)
}
