package storage

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
)

// Interface is the object store behind every resource. Keys are full etcd
// keys ("/registry/pods/default/web-1"); objects are stored as their full JSON
// and carry resourceVersion = the etcd mod revision of their key.
//
// Errors are apimachinery API errors (apierrors.NewNotFound, NewAlreadyExists,
// NewConflict, NewResourceExpired/Gone, ...) built with the GroupResource the
// store was opened for, so the handler can return them as a Status unchanged.
type Interface interface {
	// Create stores obj at key if nothing is there (AlreadyExists otherwise)
	// and decodes what was stored into out (with resourceVersion set).
	// obj must not carry a resourceVersion.
	Create(ctx context.Context, key string, obj, out runtime.Object) error

	// Get decodes the object at key into out; NotFound if absent.
	Get(ctx context.Context, key string, out runtime.Object) error

	// GuaranteedUpdate reads key, calls tryUpdate with the current object
	// (a copy the func may change) and writes the result only if the key is
	// still at that revision, retrying tryUpdate on a lost race. When the
	// object tryUpdate returns carries a non-empty resourceVersion that differs
	// from the stored one, the update fails with Conflict (optimistic locking).
	// If tryUpdate returns an error it is returned unchanged and nothing is
	// written. If the result is semantically equal to the current object no
	// write happens. ignoreNotFound passes a zero object (from out's type) to
	// tryUpdate when key is absent, which then creates it.
	GuaranteedUpdate(ctx context.Context, key string, out runtime.Object, ignoreNotFound bool,
		preconditions *Preconditions, tryUpdate UpdateFunc) error

	// Delete removes key if preconditions hold, decoding the last state into
	// out (its resourceVersion is the deletion's revision, as upstream).
	// validate (may be nil) sees the current object first and can refuse.
	Delete(ctx context.Context, key string, out runtime.Object, preconditions *Preconditions,
		validate func(current runtime.Object) error) error

	// List decodes every object whose key starts with prefix (a prefix ends
	// in "/") and matches opts into listObj (a typed *List), setting the
	// list's resourceVersion and, with opts.Limit, continue.
	// Items from the Cacher share maps, slices and pointers with the cache:
	// the caller owns each item's top-level struct but must DeepCopy before
	// changing anything nested (see doc.go).
	List(ctx context.Context, prefix string, opts ListOptions, listObj runtime.Object) error

	// Watch streams changes below prefix (or of a single key) after
	// opts.ResourceVersion ("" or "0": first an ADDED event per current object,
	// then changes). Gone (410) when the revision was compacted / fell out of
	// the cache window: the Cacher returns it as the error; Store (direct
	// etcd) sends it as an ERROR event, since etcd reports compaction only
	// once the watch runs. Events whose object stops or starts matching the
	// predicate are sent as DELETED / ADDED as upstream does. With
	// opts.AllowBookmarks, BOOKMARK events are sent periodically. Event
	// objects follow the same sharing rule as List items. The stream ends
	// (the channel closes) when ctx ends, on Stop, or when the client falls
	// too far behind; a client then resumes from its last resourceVersion.
	Watch(ctx context.Context, prefix string, opts ListOptions) (watch.Interface, error)

	// Count returns how many objects are stored under prefix.
	Count(ctx context.Context, prefix string) (int64, error)
}

// UpdateFunc computes the new object from the current one. It may modify
// and return current. Returning an error aborts the update.
type UpdateFunc func(current runtime.Object) (runtime.Object, error)

// Preconditions must hold for an update or delete to proceed; Conflict
// otherwise.
type Preconditions struct {
	UID             *types.UID
	ResourceVersion *string
}

// ListOptions selects what List and Watch return.
type ListOptions struct {
	// ResourceVersion semantics follow upstream: "" = most recent (consistent
	// read), "0" = any (served from the cache), N = at least N.
	ResourceVersion string
	// ResourceVersionMatch (List only) mirrors the list option: Exact
	// reads the state at exactly ResourceVersion (from etcd, 410 once
	// compacted); NotOlderThan or "" keep the semantics above.
	ResourceVersionMatch metav1.ResourceVersionMatch
	Predicate            Predicate
	Limit                int64
	Continue             string
	AllowBookmarks       bool
	// SharedEncoding (watch from the cache only): event objects come as
	// *CachedObject, which every watcher encodes once between them.
	SharedEncoding bool
	// SendInitialEvents mirrors the watch-list option: when true, a watch
	// starts with the current state followed by a bookmark carrying
	// the "k8s.io/initial-events-end" annotation.
	SendInitialEvents *bool
	// Recursive: prefix names a directory (list/watch a collection) rather
	// than a single key.
	Recursive bool
}

// Predicate filters objects by label and field selectors; GetAttrs returns
// an object's labels and selectable fields.
type Predicate struct {
	Label    labels.Selector
	Field    fields.Selector
	GetAttrs func(obj runtime.Object) (labels.Set, fields.Set, error)
}

// Matches tells whether obj passes the predicate. An empty predicate
// matches everything.
func (p Predicate) Matches(obj runtime.Object) (bool, error) {
	if p.Empty() {
		return true, nil
	}
	ls, fs, err := p.GetAttrs(obj)
	if err != nil {
		return false, err
	}
	if p.Label != nil && !p.Label.Matches(ls) {
		return false, nil
	}
	if p.Field != nil && !p.Field.Matches(fs) {
		return false, nil
	}
	return true, nil
}

// Empty tells whether the predicate selects everything.
func (p Predicate) Empty() bool {
	return (p.Label == nil || p.Label.Empty()) && (p.Field == nil || p.Field.Empty())
}
