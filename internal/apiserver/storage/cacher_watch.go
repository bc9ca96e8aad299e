package storage

import (
	"context"
	"errors"
	"time"

	"k8s.io/apimachinery/pkg/watch"
)

// Watch implements Interface from memory. Starting points:
//   - resourceVersion "" or "0" (or SendInitialEvents=true): an ADDED event
//     per current object, then changes ("" first waits, briefly, for the
//     cache to catch up with etcd);
//   - N: the buffered changes after N, then live ones; 410 Gone ("too old
//     resource version: N (oldest)") when the history no longer reaches
//     back to N, 504 "Too large resource version" when the cache does not
//     reach N within FreshnessTimeout.
//
// The errors are returned synchronously, before any event.
func (c *Cacher) Watch(ctx context.Context, prefix string, opts ListOptions) (watch.Interface, error) {
	if opts.Recursive {
		prefix = dirPrefix(prefix)
	}
	if err := c.store.checkKey(prefix); err != nil {
		return nil, err
	}
	rv, err := parseResourceVersion(opts.ResourceVersion)
	if err != nil {
		return nil, err
	}
	initial := sendInitialEvents(opts)
	switch {
	case opts.ResourceVersion == "" && initial:
		// Best effort: a watch is a stream, so a slightly stale start is
		// harmless; the wait only makes "list then see my own write" hold.
		if err := c.waitFresh(ctx); err != nil && !errors.Is(err, errTimeout) {
			return nil, err
		}
	case rv == 0:
		err = c.waitFor(ctx, 0, nil)
	default:
		err = c.waitFor(ctx, rv, time.After(c.cfg.FreshnessTimeout))
		if errors.Is(err, errTimeout) {
			return nil, newTooLargeResourceVersionError(rv, c.currentRev(), 1)
		}
	}
	if err != nil {
		return nil, err
	}

	bookmark := c.cfg.BookmarkInterval
	if !opts.AllowBookmarks {
		bookmark = 0
	}
	f := filter{key: prefix, recursive: opts.Recursive, pred: c.store.predicate(opts.Predicate), shared: opts.SharedEncoding}
	w := newWatcher(ctx, f, c.cfg.NewFunc, c.cfg.WatcherBuffer, bookmark)
	w.latest = c.dispatched.Load
	w.onStop = func() {
		c.mu.Lock()
		delete(c.watchers, w)
		c.mu.Unlock()
	}

	// Registration and the starting point are taken under the same lock
	// apply holds, so the watcher's live events start exactly after them.
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return nil, c.waitFor(ctx, 0, nil)
	}
	st := start{rev: c.rev, initialEnd: opts.SendInitialEvents != nil && *opts.SendInitialEvents}
	switch {
	case initial && opts.Recursive:
		st.snapshot = c.items.scan(prefix, prefix)
	case initial:
		if e := c.items.get(prefix); e != nil {
			st.snapshot = []*entry{e}
		}
	case rv != 0:
		replay, ok := c.history.since(rv)
		if !ok {
			oldest := c.history.startRev
			c.mu.Unlock()
			return nil, newTooOldResourceVersionError(rv, oldest)
		}
		st.replay = replay
	}
	c.watchers[w] = struct{}{}
	c.mu.Unlock()

	go w.run(st)
	return w, nil
}
