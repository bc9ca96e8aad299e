package plugins

import (
	"context"
	"sync"
	"time"
)

// liveLookup remembers, per namespace, a live LIST made because the lister
// showed nothing there: a LimitRange or ResourceQuota created a moment ago
// may not have reached the informer, and admitting against an empty cache
// would skip it. As upstream, the result is kept for a while (30s) so a
// namespace without any costs one request per interval, not one per write,
// and concurrent misses share one request.
type liveLookup[T any] struct {
	ttl  time.Duration
	list func(ctx context.Context, namespace string) ([]T, error)
	now  func() time.Time

	mu       sync.Mutex
	entries  map[string]liveEntry[T]
	inflight map[string]*liveCall[T]
}

type liveEntry[T any] struct {
	items  []T
	expiry time.Time
}

type liveCall[T any] struct {
	done  chan struct{}
	items []T
	err   error
}

// liveLookupTTL is upstream's.
const liveLookupTTL = 30 * time.Second

// maxLiveEntries bounds the memory for clusters with many namespaces; past
// it, expired entries are dropped, then everything (a few extra LISTs).
const maxLiveEntries = 4096

func newLiveLookup[T any](list func(ctx context.Context, namespace string) ([]T, error)) *liveLookup[T] {
	return &liveLookup[T]{ttl: liveLookupTTL, list: list, now: time.Now,
		entries: map[string]liveEntry[T]{}, inflight: map[string]*liveCall[T]{}}
}

// get returns the namespace's items from a fresh-enough earlier LIST, or
// lists now.
func (l *liveLookup[T]) get(ctx context.Context, namespace string) ([]T, error) {
	l.mu.Lock()
	if e, ok := l.entries[namespace]; ok && l.now().Before(e.expiry) {
		l.mu.Unlock()
		return e.items, nil
	}
	if c, ok := l.inflight[namespace]; ok {
		l.mu.Unlock()
		select {
		case <-c.done:
			return c.items, c.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	c := &liveCall[T]{done: make(chan struct{})}
	l.inflight[namespace] = c
	l.mu.Unlock()

	c.items, c.err = l.list(ctx, namespace)

	l.mu.Lock()
	delete(l.inflight, namespace)
	if c.err == nil {
		l.prune()
		l.entries[namespace] = liveEntry[T]{items: c.items, expiry: l.now().Add(l.ttl)}
	}
	l.mu.Unlock()
	close(c.done)
	return c.items, c.err
}

// forget drops a namespace's entry, when it proved wrong.
func (l *liveLookup[T]) forget(namespace string) {
	l.mu.Lock()
	delete(l.entries, namespace)
	l.mu.Unlock()
}

func (l *liveLookup[T]) prune() {
	if len(l.entries) < maxLiveEntries {
		return
	}
	now := l.now()
	for ns, e := range l.entries {
		if !now.Before(e.expiry) {
			delete(l.entries, ns)
		}
	}
	if len(l.entries) >= maxLiveEntries {
		clear(l.entries)
	}
}
