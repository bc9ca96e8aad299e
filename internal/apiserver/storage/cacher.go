package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
)

// Cacher is the Interface the API server uses: a watch cache in front of a
// Store. One etcd watch on the resource's prefix keeps an in-memory copy of
// every object plus a window of recent events; List and Watch are served
// from it, so a hundred watchers cost one etcd watch. Writes, Get and Count
// go to etcd. It runs two goroutines: the feed (cacher_feed.go) and the
// dispatcher (cacher_dispatch.go), plus one per client watch.
type Cacher struct {
	store *Store
	cfg   Config

	mu sync.RWMutex
	// ready: the initial list has been loaded.
	ready bool
	// stopped: ctx ended; nothing is served any more.
	stopped bool
	// rev: every change up to this revision is applied to items.
	rev      int64
	items    index
	history  *history
	watchers map[*watcher]struct{}
	// pending holds applied events the dispatcher has not handed out yet;
	// wake signals it (cacher_dispatch.go).
	pending []*event
	wake    chan struct{}
	// dispatched: every event up to this revision has been queued to the
	// watchers it concerns. Bookmarks never go beyond it.
	dispatched atomic.Int64
	// changed is closed (and replaced) whenever rev, ready or stopped
	// changes, waking readers waiting for the cache to catch up.
	changed chan struct{}
	// progress asks etcd to confirm the watch's revision (nil between
	// watches). Set by the feed loop.
	progress func()
	// restart (tests) makes the feed loop drop its watch and relist.
	restart chan struct{}

	// now is the clock for history timestamps (tests replace it).
	now func() time.Time
}

var _ Interface = (*Cacher)(nil)

// NewCacher starts the watch cache for one resource; it runs until ctx ends.
// It returns at once: the initial list loads in the background and requests
// wait for it (WaitReady exposes that for readiness checks).
func NewCacher(ctx context.Context, client *clientv3.Client, cfg Config) (*Cacher, error) {
	store, err := NewStore(client, cfg)
	if err != nil {
		return nil, err
	}
	c := &Cacher{
		store:    store,
		cfg:      store.cfg,
		history:  newHistory(store.cfg.MinEvents, store.cfg.MaxEvents, store.cfg.EventWindow),
		watchers: map[*watcher]struct{}{},
		changed:  make(chan struct{}),
		wake:     make(chan struct{}, 1),
		restart:  make(chan struct{}, 1),
		now:      time.Now,
	}
	go c.run(ctx)
	go c.dispatchLoop(ctx)
	return c, nil
}

// Store returns the etcd store behind the cache.
func (c *Cacher) Store() *Store { return c.store }

// Create implements Interface (etcd).
func (c *Cacher) Create(ctx context.Context, key string, obj, out runtime.Object) error {
	return c.store.Create(ctx, key, obj, out)
}

// Get implements Interface. It reads etcd: a Get carries no
// resourceVersion, so it must see the latest state, and one key is cheap.
func (c *Cacher) Get(ctx context.Context, key string, out runtime.Object) error {
	return c.store.Get(ctx, key, out)
}

// GuaranteedUpdate implements Interface (etcd).
func (c *Cacher) GuaranteedUpdate(ctx context.Context, key string, out runtime.Object, ignoreNotFound bool,
	preconditions *Preconditions, tryUpdate UpdateFunc) error {
	return c.store.GuaranteedUpdate(ctx, key, out, ignoreNotFound, preconditions, tryUpdate)
}

// Delete implements Interface (etcd).
func (c *Cacher) Delete(ctx context.Context, key string, out runtime.Object, preconditions *Preconditions,
	validate func(current runtime.Object) error) error {
	return c.store.Delete(ctx, key, out, preconditions, validate)
}

// Count implements Interface. It asks etcd (a count-only range read): quota
// decisions need the latest number, not the cache's.
func (c *Cacher) Count(ctx context.Context, prefix string) (int64, error) {
	return c.store.Count(ctx, prefix)
}

// WaitReady blocks until the initial list is loaded.
func (c *Cacher) WaitReady(ctx context.Context) error {
	return c.waitFor(ctx, 0, nil)
}

// errStopped is returned once the cache's context has ended.
var errStopped = errors.New("watch cache stopped")

// waitFor blocks until the cache is ready and at revision >= rev, asking
// etcd for a progress notification when it is behind (the resource may be
// idle while other resources moved etcd's revision on). timeout (may be
// nil) ends the wait with errTimeout.
func (c *Cacher) waitFor(ctx context.Context, rev int64, timeout <-chan time.Time) error {
	var retry <-chan time.Time
	for {
		c.mu.RLock()
		ready, stopped, cur, changed, progress := c.ready, c.stopped, c.rev, c.changed, c.progress
		c.mu.RUnlock()
		if stopped {
			return apierrors.NewServiceUnavailable(fmt.Sprintf("%s: %v", c.cfg.GroupResource, errStopped))
		}
		if ready && cur >= rev {
			return nil
		}
		if ready && progress != nil && retry == nil {
			progress()
			// Ask again if the answer does not come: a request can be
			// lost when the watch restarts.
			retry = time.After(250 * time.Millisecond)
		}
		select {
		case <-changed:
		case <-retry:
			retry = nil
		case <-timeout:
			return errTimeout
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// waitFresh waits until the cache reflects everything etcd has committed
// now: a consistent read from the cache, as upstream serves lists with
// resourceVersion "". It returns errTimeout if the cache does not catch up.
func (c *Cacher) waitFresh(ctx context.Context) error {
	rev, err := c.store.currentRevision(ctx)
	if err != nil {
		return err
	}
	return c.waitFor(ctx, rev, time.After(c.cfg.FreshnessTimeout))
}

// currentRev is the cache's revision.
func (c *Cacher) currentRev() int64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.rev
}

// broadcastLocked wakes everything waiting in waitFor.
func (c *Cacher) broadcastLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}
