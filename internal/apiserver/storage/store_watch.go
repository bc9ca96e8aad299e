package storage

import (
	"context"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/watch"
)

// Watch implements Interface with one etcd watch per call. The API server
// watches through the Cacher (one etcd watch per resource however many
// clients); this is the uncached path, for tools and tests.
//
// A start revision that etcd has compacted is reported as an ERROR event
// with a 410 status (etcd only says so once the watch runs), like upstream's
// etcd3 watcher.
func (s *Store) Watch(ctx context.Context, prefix string, opts ListOptions) (watch.Interface, error) {
	if opts.Recursive {
		prefix = dirPrefix(prefix)
	}
	if err := s.checkKey(prefix); err != nil {
		return nil, err
	}
	rv, err := parseResourceVersion(opts.ResourceVersion)
	if err != nil {
		return nil, err
	}
	f := filter{key: prefix, recursive: opts.Recursive, pred: s.predicate(opts.Predicate)}

	var st start
	if sendInitialEvents(opts) {
		// The current state (at least rv), then changes after it.
		entries, rev, err := s.listEntries(ctx, prefix, opts.Recursive, 0)
		if err != nil {
			return nil, err
		}
		if rv > rev {
			return nil, newTooLargeResourceVersionError(rv, rev, 1)
		}
		st = start{snapshot: entries, rev: rev, initialEnd: opts.SendInitialEvents != nil}
	} else if rv == 0 {
		if st.rev, err = s.currentRevision(ctx); err != nil {
			return nil, err
		}
	} else {
		st.rev = rv
	}

	bookmark := s.cfg.BookmarkInterval
	if !opts.AllowBookmarks {
		bookmark = 0
	}
	wctx, cancel := context.WithCancel(ctx)
	w := newWatcher(wctx, f, s.cfg.NewFunc, s.cfg.WatcherBuffer, bookmark)
	w.onStop = cancel
	go s.feed(clientv3.WithRequireLeader(wctx), w, f, st.rev)
	go w.run(st)
	return w, nil
}

// feed copies one etcd watch into w.input until either ends.
func (s *Store) feed(ctx context.Context, w *watcher, f filter, fromRev int64) {
	defer w.terminate()
	opts := []clientv3.OpOption{clientv3.WithRev(fromRev + 1), clientv3.WithPrevKV(), clientv3.WithProgressNotify()}
	if f.recursive {
		opts = append(opts, clientv3.WithPrefix())
	}
	for resp := range s.client.Watch(ctx, f.key, opts...) {
		if err := resp.Err(); err != nil {
			status := apierrors.NewInternalError(fmt.Errorf("watch %s: %w", f.key, err))
			if isCompacted(err) {
				status = apierrors.NewResourceExpired(watchExpiredMsg)
			}
			obj := status.Status()
			s.push(ctx, w, &event{typ: watch.Error, status: &obj})
			return
		}
		if resp.IsProgressNotify() {
			s.push(ctx, w, &event{typ: eventProgress, rev: resp.Header.Revision})
			continue
		}
		for _, e := range resp.Events {
			ev, err := s.eventFromEtcd(e)
			if err != nil {
				s.cfg.Logger.WithError(err).Warn("skipping undecodable watch event")
				continue
			}
			if !s.push(ctx, w, ev) {
				return
			}
		}
	}
}

// push blocks: a direct watch has exactly one reader, so back-pressure
// reaches etcd instead of dropping anything.
func (s *Store) push(ctx context.Context, w *watcher, ev *event) bool {
	select {
	case w.input <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}

// eventFromEtcd decodes an etcd watch event (with PrevKV).
func (s *Store) eventFromEtcd(e *clientv3.Event) (*event, error) {
	ev := &event{key: string(e.Kv.Key), rev: e.Kv.ModRevision}
	if e.PrevKv != nil {
		prev, err := s.decodeNew(e.PrevKv.Value, e.PrevKv.ModRevision)
		if err != nil {
			return nil, err
		}
		ev.prev = prev
	}
	if e.Type == clientv3.EventTypeDelete {
		ev.typ = watch.Deleted
		if ev.prev == nil {
			return nil, fmt.Errorf("delete of %s without previous value", ev.key)
		}
		return ev, nil
	}
	obj, err := s.decodeNew(e.Kv.Value, e.Kv.ModRevision)
	if err != nil {
		return nil, err
	}
	ev.obj = obj
	// Not "prev == nil": etcd drops the previous value once it is
	// compacted, but the change is still a modification.
	ev.typ = watch.Modified
	if e.IsCreate() {
		ev.typ = watch.Added
	}
	return ev, nil
}

// sendInitialEvents tells whether a watch starts with the current state:
// when asked explicitly (watch-list), or by default for resourceVersion ""
// and "0" (upstream's "get state and start at most recent").
func sendInitialEvents(opts ListOptions) bool {
	if opts.SendInitialEvents != nil {
		return *opts.SendInitialEvents
	}
	return opts.ResourceVersion == "" || opts.ResourceVersion == "0"
}
