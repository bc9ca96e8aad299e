package storage

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
)

// watcher is one client's watch: a goroutine that reads changes from input,
// filters them, and writes them to result. The producer (the cache's
// dispatcher, or a direct etcd watch) ends it with terminate, after which
// it sends what is already queued and closes result; the client ends it
// with Stop. input is never closed, so a producer can never panic sending
// to a watcher that just ended.
type watcher struct {
	ctx    context.Context
	input  chan *event
	result chan watch.Event
	done   chan struct{} // closed by Stop
	once   sync.Once
	// onStop lets the producer forget the watcher (remove it from the
	// cache's set, cancel an etcd watch). Called once, from Stop.
	onStop func()
	// terminated is closed by terminate.
	terminated chan struct{}
	termOnce   sync.Once

	filter   filter
	newFunc  func() runtime.Object
	bookmark time.Duration // 0: no periodic bookmarks
	// latest (may be nil) returns the producer's revision: every event up
	// to it has been queued to this watcher if it concerned it. It lets a
	// bookmark move past changes the watcher filtered out or never saw.
	latest func() int64
}

var _ watch.Interface = (*watcher)(nil)

func newWatcher(ctx context.Context, f filter, newFunc func() runtime.Object, buffer int, bookmark time.Duration) *watcher {
	return &watcher{
		ctx:        ctx,
		input:      make(chan *event, buffer),
		result:     make(chan watch.Event),
		done:       make(chan struct{}),
		terminated: make(chan struct{}),
		filter:     f,
		newFunc:    newFunc,
		bookmark:   bookmark,
	}
}

// Stop implements watch.Interface.
func (w *watcher) Stop() {
	w.once.Do(func() {
		close(w.done)
		if w.onStop != nil {
			w.onStop()
		}
	})
}

// terminate ends the watch from the producer's side.
func (w *watcher) terminate() {
	w.termOnce.Do(func() { close(w.terminated) })
}

// gone tells whether the watch has ended either way; producers skip it.
func (w *watcher) gone() bool {
	select {
	case <-w.done:
		return true
	case <-w.terminated:
		return true
	default:
		return false
	}
}

// ResultChan implements watch.Interface.
func (w *watcher) ResultChan() <-chan watch.Event { return w.result }

// start describes what a watcher sends before live changes.
type start struct {
	// snapshot holds the current objects, each sent as ADDED.
	snapshot []*entry
	// replay holds buffered changes after the requested resourceVersion.
	replay []*event
	// rev is the revision the watcher is caught up to once snapshot and
	// replay are sent; live events at or below it are duplicates.
	rev int64
	// initialEnd sends the "k8s.io/initial-events-end" bookmark after the
	// snapshot (watch-list, SendInitialEvents=true).
	initialEnd bool
}

// run is the watcher's goroutine; result is closed when it returns.
func (w *watcher) run(st start) {
	defer close(w.result)
	defer func() {
		// The client may stop reading without calling Stop (its context
		// ended): make sure the producer forgets us.
		if w.ctx.Err() != nil {
			w.Stop()
		}
	}()
	for _, e := range st.snapshot {
		if !w.filter.matches(e.obj) {
			continue
		}
		if !w.send(watch.Event{Type: watch.Added, Object: share(shallowCopy(e.obj), &e.enc, w.filter.shared)}) {
			return
		}
	}
	for _, ev := range st.replay {
		if out, ok := w.filter.convert(ev); ok && !w.send(out) {
			return
		}
	}
	lastRev, sentRev := st.rev, st.rev
	if st.initialEnd {
		if !w.send(watch.Event{Type: watch.Bookmark, Object: w.bookmarkObject(st.rev, true)}) {
			return
		}
	}

	var tick <-chan time.Time
	if w.bookmark > 0 {
		t := time.NewTicker(jitter(w.bookmark))
		defer t.Stop()
		tick = t.C
	}
	// handle processes one queued event; false ends the watch.
	handle := func(ev *event) bool {
		switch {
		case ev.typ == watch.Error:
			w.send(watch.Event{Type: watch.Error, Object: ev.status})
			return false
		case ev.rev <= st.rev:
			// Already covered by the snapshot or replay. (Not "<= lastRev":
			// one etcd transaction may change several keys at the same
			// revision.)
			return true
		}
		lastRev = max(lastRev, ev.rev)
		if ev.typ == eventProgress {
			return true
		}
		out, ok := w.filter.convert(ev)
		return !ok || w.send(out)
	}
	for {
		select {
		case ev := <-w.input:
			if !handle(ev) {
				return
			}
		case <-w.terminated:
			// Send what was queued before the end, then close.
			for {
				select {
				case ev := <-w.input:
					if !handle(ev) {
						return
					}
				default:
					return
				}
			}
		case <-tick:
			// Read latest before looking at the queue: events up to it were
			// queued before it was published, so an empty queue means they
			// have all been sent. With events queued the revision may be
			// half delivered (a multi-key transaction): the next tick will do.
			if w.latest != nil {
				lastRev = max(lastRev, w.latest())
			}
			if lastRev > sentRev && len(w.input) == 0 {
				if !w.send(watch.Event{Type: watch.Bookmark, Object: w.bookmarkObject(lastRev, false)}) {
					return
				}
				sentRev = lastRev
			}
		case <-w.done:
			return
		case <-w.ctx.Done():
			return
		}
	}
}

// send delivers ev unless the watch ends first.
func (w *watcher) send(ev watch.Event) bool {
	select {
	case w.result <- ev:
		return true
	case <-w.done:
		return false
	case <-w.ctx.Done():
		return false
	}
}

// bookmarkObject is an empty object of the watched type carrying only the
// resourceVersion (and, ending the initial events, upstream's annotation).
func (w *watcher) bookmarkObject(rev int64, initialEnd bool) runtime.Object {
	obj := w.newFunc()
	_ = setResourceVersion(obj, rev)
	if initialEnd {
		if m, err := meta.Accessor(obj); err == nil {
			m.SetAnnotations(map[string]string{metav1.InitialEventsAnnotationKey: "true"})
		}
	}
	return obj
}

// jitter spreads bookmarks of watchers started together over ±10%.
func jitter(d time.Duration) time.Duration {
	return d - d/10 + time.Duration(rand.Int64N(int64(d/5)+1))
}
