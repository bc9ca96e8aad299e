package storage

import (
	"context"
	"sync/atomic"
	"time"
)

// Waiting for full watcher queues is limited by a budget, as upstream's
// dispatchTimeoutBudget: up to maxDispatchWait in total, refilled at
// dispatchRefill per second. A burst from etcd (one response can carry
// hundreds of changes) may briefly outrun a healthy client; a client that
// stays behind uses up the budget and is closed.
const (
	maxDispatchWait = 100 * time.Millisecond
	dispatchRefill  = 50 * time.Millisecond
)

// dispatchLoop hands applied events to watchers, in order, until ctx ends.
// It runs apart from apply so the cache's lock is never held while waiting
// for a watcher.
func (c *Cacher) dispatchLoop(ctx context.Context) {
	b := &budget{left: maxDispatchWait, last: time.Now()}
	for {
		select {
		case <-c.wake:
		case <-ctx.Done():
			return
		}
		// The batch and the watchers that existed when it was applied are
		// taken together; a watcher registered later starts at a revision
		// at or after every event in the batch and would skip them anyway.
		c.mu.Lock()
		batch := c.pending
		c.pending = nil
		ws := make([]*watcher, 0, len(c.watchers))
		for w := range c.watchers {
			ws = append(ws, w)
		}
		c.mu.Unlock()

		for _, ev := range batch {
			if ev.typ != eventProgress {
				c.deliver(ev, ws, b)
			}
			storeMax(&c.dispatched, ev.rev)
		}
	}
}

// deliver queues ev for every watcher of its key: first to everyone with
// room, then waits (within the budget) for the rest, closing those it
// cannot wait for.
func (c *Cacher) deliver(ev *event, ws []*watcher, b *budget) {
	var blocked []*watcher
	for _, w := range ws {
		if !w.filter.keyMatches(ev.key) || w.gone() {
			continue
		}
		select {
		case w.input <- ev:
		default:
			blocked = append(blocked, w)
		}
	}
	for _, w := range blocked {
		if !b.send(w, ev) {
			c.cfg.Logger.WithField("key", w.filter.key).Info("closing a watch that fell behind")
			c.mu.Lock()
			c.forgetLocked(w)
			c.mu.Unlock()
		}
	}
}

// wakeDispatcher signals that events are pending.
func (c *Cacher) wakeDispatcher() {
	select {
	case c.wake <- struct{}{}:
	default: // already signalled
	}
}

// budget is the dispatcher's allowance for waiting on full queues.
type budget struct {
	left time.Duration
	last time.Time
}

// send waits for room in w's queue no longer than the budget allows; false
// when the budget ran out first.
func (b *budget) send(w *watcher, ev *event) bool {
	now := time.Now()
	b.left = min(maxDispatchWait, b.left+time.Duration(float64(now.Sub(b.last))*float64(dispatchRefill)/float64(time.Second)))
	b.last = now
	if b.left <= 0 {
		return false
	}
	t := time.NewTimer(b.left)
	defer t.Stop()
	defer func() { b.left -= time.Since(now) }()
	select {
	case w.input <- ev:
		return true
	case <-w.done:
		return true // gone anyway
	case <-w.terminated:
		return true
	case <-t.C:
		return false
	}
}

// storeMax raises v to n unless it is already higher.
func storeMax(v *atomic.Int64, n int64) {
	for {
		cur := v.Load()
		if n <= cur || v.CompareAndSwap(cur, n) {
			return
		}
	}
}
