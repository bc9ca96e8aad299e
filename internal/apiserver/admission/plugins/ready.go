package plugins

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

// ReadyFunc tells a plugin whether the listers it reads are usable,
// waiting a while if they are not yet; nil means always ready (tests,
// listers over a filled indexer).
type ReadyFunc func(ctx context.Context) bool

// readyTimeout is how long a request waits for informers to sync before it
// is refused, upstream's 10s: long enough for a start-up, short enough that
// a client sees an answer.
var readyTimeout = 10 * time.Second

// errNotReady is upstream's refusal while caches are empty.
var errNotReady = errors.New("not yet ready to handle request")

// WaitForSynced returns a ReadyFunc over informers' HasSynced: it returns
// at once after the first time they all report synced, and until then
// polls them for up to 10 seconds (or until ctx ends).
func WaitForSynced(synced ...func() bool) ReadyFunc {
	var done atomic.Bool
	all := func() bool {
		for _, s := range synced {
			if !s() {
				return false
			}
		}
		return true
	}
	return func(ctx context.Context) bool {
		if done.Load() {
			return true
		}
		deadline := time.NewTimer(readyTimeout)
		defer deadline.Stop()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			if all() {
				done.Store(true)
				return true
			}
			select {
			case <-ctx.Done():
				return false
			case <-deadline.C:
				return false
			case <-tick.C:
			}
		}
	}
}

// ensureReady refuses a with upstream's message when r gives up.
func ensureReady(ctx context.Context, r ReadyFunc, a *admission.Attributes) error {
	if r == nil || r(ctx) {
		return nil
	}
	return admission.NewForbidden(a, errNotReady)
}
