package storage

import (
	"context"
	"errors"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/apimachinery/pkg/watch"
)

// housekeepingInterval is how often old history is trimmed.
const housekeepingInterval = 10 * time.Second

// run keeps the cache in sync with etcd until ctx ends: list, then watch
// from the list's revision; on any watch failure (compaction, a lost
// leader, a closed stream) list again. Every restart ends all client
// watches, which resume from their last resourceVersion or relist, as with
// upstream's cacher.
func (c *Cacher) run(ctx context.Context) {
	defer c.shutdown()
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		began := time.Now()
		err := c.listAndWatch(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(began) > time.Minute {
			backoff = 100 * time.Millisecond // it worked for a while
		}
		c.cfg.Logger.WithError(err).Info("watch cache restarting from a fresh list")
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

func (c *Cacher) listAndWatch(ctx context.Context) error {
	entries, rev, err := c.store.listEntries(ctx, c.cfg.Prefix, true, 0)
	if err != nil {
		return err
	}
	c.replace(entries, rev)

	// WithRequireLeader: a member cut off from the leader closes the watch
	// instead of silently serving nothing.
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	w := clientv3.NewWatcher(c.store.client)
	defer w.Close()
	wch := w.Watch(wctx, c.cfg.Prefix, clientv3.WithPrefix(), clientv3.WithRev(rev+1), clientv3.WithProgressNotify())
	c.setProgress(func() {
		// The progress request must name the same context as the watch.
		_ = w.RequestProgress(wctx)
	})
	defer c.setProgress(nil)

	tick := time.NewTicker(housekeepingInterval)
	defer tick.Stop()
	for {
		select {
		case resp, ok := <-wch:
			if !ok {
				return errors.New("etcd watch closed")
			}
			if err := resp.Err(); err != nil {
				return err
			}
			if resp.IsProgressNotify() {
				c.progressTo(resp.Header.Revision)
				continue
			}
			c.apply(c.decodeEvents(resp.Events))
		case <-tick.C:
			c.mu.Lock()
			c.history.expire(c.now().UnixNano())
			c.mu.Unlock()
		case <-c.restart:
			return errors.New("restart requested")
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// change is a decoded etcd event, before the cache adds what it knows
// (the previous object).
type change struct {
	key     string
	rev     int64
	deleted bool
	obj     *entry
}

// decodeEvents decodes outside the lock; an undecodable value is logged and
// skipped, leaving the previous state in the cache.
func (c *Cacher) decodeEvents(evs []*clientv3.Event) []change {
	out := make([]change, 0, len(evs))
	for _, e := range evs {
		ch := change{key: string(e.Kv.Key), rev: e.Kv.ModRevision, deleted: e.Type == clientv3.EventTypeDelete}
		if !ch.deleted {
			obj, err := c.store.decodeNew(e.Kv.Value, e.Kv.ModRevision)
			if err != nil {
				c.cfg.Logger.WithError(err).WithField("key", ch.key).Error("skipping undecodable object")
				continue
			}
			ch.obj = &entry{key: ch.key, obj: obj, rev: ch.rev}
		}
		out = append(out, ch)
	}
	return out
}

// apply updates the state and records the events, then leaves them to the
// dispatcher. A watcher registering concurrently starts either before or
// after a whole batch, and ignores events at or below its start revision,
// so it sees every change exactly once.
func (c *Cacher) apply(changes []change) {
	if len(changes) == 0 {
		return
	}
	now := c.now().UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range changes {
		ev := &event{key: ch.key, rev: ch.rev, at: now, delEnc: &encodings{}}
		if ch.deleted {
			prev := c.items.remove(ch.key)
			if prev == nil {
				continue // never seen (e.g. it was undecodable)
			}
			ev.typ, ev.prev = watch.Deleted, prev.obj
		} else {
			prev := c.items.put(ch.obj)
			ev.typ, ev.obj, ev.objEnc = watch.Added, ch.obj.obj, &ch.obj.enc
			if prev != nil {
				ev.typ, ev.prev = watch.Modified, prev.obj
			}
		}
		c.history.add(ev)
		c.pending = append(c.pending, ev)
		c.rev = max(c.rev, ch.rev)
	}
	c.wakeDispatcher()
	c.broadcastLocked()
}

// progressTo records that etcd confirmed every change up to rev: waiting
// reads proceed, and once the dispatcher gets there, watchers' bookmarks
// carry it.
func (c *Cacher) progressTo(rev int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rev <= c.rev {
		return
	}
	c.rev = rev
	c.pending = append(c.pending, &event{typ: eventProgress, rev: rev})
	c.wakeDispatcher()
	c.broadcastLocked()
}

// forgetLocked removes w; it then sends what is queued and ends.
func (c *Cacher) forgetLocked(w *watcher) {
	delete(c.watchers, w)
	w.terminate()
}

// replace installs a fresh list at rev. Watchers are closed: the history
// restarts at rev, and they cannot know what changed in between.
func (c *Cacher) replace(entries []*entry, rev int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for w := range c.watchers {
		c.forgetLocked(w)
	}
	c.items = index{items: entries}
	c.history.reset(rev)
	c.pending = nil
	c.rev = rev
	storeMax(&c.dispatched, rev)
	c.ready = true
	c.broadcastLocked()
}

// setProgress installs (or, with nil, removes) the progress requester and
// wakes waiting reads so they can use it.
func (c *Cacher) setProgress(f func()) {
	c.mu.Lock()
	c.progress = f
	c.broadcastLocked()
	c.mu.Unlock()
}

// shutdown ends every watch and refuses further requests.
func (c *Cacher) shutdown() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for w := range c.watchers {
		c.forgetLocked(w)
	}
	c.stopped = true
	c.items = index{}
	c.pending = nil
	c.history.reset(c.rev)
	c.broadcastLocked()
}
