package webhook

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

// dispatcher is what the two plugins share: their dependencies, the HTTP
// clients, and readiness.
type dispatcher struct {
	deps    Deps
	clients clients
	log     *logrus.Entry
	synced  atomic.Bool
	// readyWait is how long a write waits for the listers to fill.
	readyWait time.Duration
}

func newDispatcher(deps Deps, plugin string) *dispatcher {
	return &dispatcher{
		deps:      deps,
		log:       logrus.WithFields(logrus.Fields{"component": "admission", "plugin": plugin}),
		readyWait: 10 * time.Second,
	}
}

// waitReady holds a write until the listers are filled, for up to
// readyWait: with empty caches every webhook would be skipped, which is
// the one thing a webhook with failurePolicy Fail must never see. Past the
// wait the write is refused (403), as upstream.
//
// Writes with no user at all never wait: they are the server's own, made
// in-process before it serves (apiserver.Server.Bootstrap's system
// namespaces), and the informers that would fill the listers read from
// the server itself, so they cannot sync before those writes are done.
// Every request over HTTP has a user, anonymous at least.
func (d *dispatcher) waitReady(ctx context.Context, a *admission.Attributes) error {
	if d.deps.HasSynced == nil || d.synced.Load() || a.User == nil {
		return nil
	}
	deadline := time.NewTimer(d.readyWait)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !d.deps.HasSynced() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return admission.NewForbidden(a, errors.New("not yet ready to handle request"))
		case <-tick.C:
		}
	}
	d.synced.Store(true)
	return nil
}
