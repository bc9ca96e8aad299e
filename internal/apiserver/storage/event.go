package storage

import (
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
)

// eventProgress marks an internal event that only says "every change up to
// rev has been delivered" (an etcd progress notification). Watchers use it
// to advance the resourceVersion of their next bookmark; it is never sent
// to clients as such.
const eventProgress watch.EventType = "PROGRESS"

// event is one change of one key as the cache (or a direct etcd watch)
// sees it, before any watcher's filter. Events are shared between watchers
// and the history buffer and never modified after creation.
type event struct {
	typ  watch.EventType // Added, Modified, Deleted, Error or eventProgress
	key  string
	rev  int64          // revision of the change (of the deletion for Deleted)
	obj  runtime.Object // state after the change; nil for Deleted
	prev runtime.Object // state before; nil for Added
	// status is the error object of an Error event.
	status runtime.Object
	// at is when the cache received it (unix nanoseconds), for the history
	// window.
	at int64
	// objEnc caches obj's serializations (the cache entry's own, shared with
	// raw lists); delEnc those of the deleted form. Nil for events not from
	// the cache.
	objEnc *encodings
	delEnc *encodings
}

// filter is what one watcher asked for: a key or a key prefix, and a
// predicate.
type filter struct {
	key       string // exact key, or a prefix ending in "/" when recursive
	recursive bool
	pred      Predicate
	// shared: hand out CachedObjects (ListOptions.SharedEncoding).
	shared bool
}

func (f *filter) keyMatches(key string) bool {
	if f.recursive {
		return strings.HasPrefix(key, f.key)
	}
	return key == f.key
}

func (f *filter) matches(obj runtime.Object) bool {
	if obj == nil {
		return false
	}
	ok, err := f.pred.Matches(obj)
	// An object whose attributes cannot be read matches nothing: better a
	// missing event than a wrong one.
	return err == nil && ok
}

// convert turns a change into what this watcher sees, as upstream does: an
// object entering the selection is ADDED, one leaving it DELETED (carrying
// its last matching state with the revision of the change), changes
// outside it nothing. The object is a shallow copy the receiver owns at the
// top level (see shallowCopy).
func (f *filter) convert(ev *event) (watch.Event, bool) {
	if !f.keyMatches(ev.key) {
		return watch.Event{}, false
	}
	if f.pred.Empty() {
		switch ev.typ {
		case watch.Added, watch.Modified:
			return watch.Event{Type: ev.typ, Object: share(shallowCopy(ev.obj), ev.objEnc, f.shared)}, true
		case watch.Deleted:
			return watch.Event{Type: watch.Deleted, Object: share(withRevision(ev.prev, ev.rev), ev.delEnc, f.shared)}, ev.prev != nil
		}
		return watch.Event{}, false
	}
	cur := ev.typ != watch.Deleted && f.matches(ev.obj)
	old := ev.prev != nil && f.matches(ev.prev)
	switch {
	case cur && old:
		return watch.Event{Type: watch.Modified, Object: share(shallowCopy(ev.obj), ev.objEnc, f.shared)}, true
	case cur && !old:
		return watch.Event{Type: watch.Added, Object: share(shallowCopy(ev.obj), ev.objEnc, f.shared)}, true
	case !cur && old:
		return watch.Event{Type: watch.Deleted, Object: share(withRevision(ev.prev, ev.rev), ev.delEnc, f.shared)}, true
	}
	return watch.Event{}, false
}

// withRevision is a shallow copy of obj stamped with rev: a DELETED event
// carries the deleted state at the deletion's revision, so a client's
// resourceVersion moves past the deletion.
func withRevision(obj runtime.Object, rev int64) runtime.Object {
	if obj == nil {
		return nil
	}
	out := shallowCopy(obj)
	_ = setResourceVersion(out, rev)
	return out
}
