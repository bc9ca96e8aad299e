package storage

import (
	"context"
	"errors"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// List implements Interface from memory:
//   - resourceVersion "0": the cache as it is;
//   - "": a consistent read: the cache once it has caught up with etcd's
//     current revision (falling back to etcd if it cannot within
//     FreshnessTimeout);
//   - N: the cache once it reached N (504 "Too large resource version" if
//     it does not in time);
//   - resourceVersionMatch=Exact: etcd at exactly N.
//
// Pages are cut from the cache at its current revision; the next page comes
// from the cache while its revision has not moved, and otherwise from etcd
// at the first page's revision, as one consistent list.
func (c *Cacher) List(ctx context.Context, prefix string, opts ListOptions, listObj runtime.Object) error {
	if opts.Recursive {
		prefix = dirPrefix(prefix)
	}
	if err := c.store.checkKey(prefix); err != nil {
		return err
	}
	if opts.Continue != "" {
		from, rev, err := decodeContinue(opts.Continue, prefix)
		if err != nil {
			return err
		}
		if err := c.waitFor(ctx, 0, nil); err != nil {
			return err
		}
		if served, err := c.listFromCache(prefix, from, rev, opts, listObj); served || err != nil {
			return err
		}
		return c.listFromStore(ctx, prefix, opts, listObj)
	}
	if opts.ResourceVersionMatch == metav1.ResourceVersionMatchExact {
		return c.listFromStore(ctx, prefix, opts, listObj)
	}
	rv, err := parseResourceVersion(opts.ResourceVersion)
	if err != nil {
		return err
	}
	switch {
	case opts.ResourceVersion == "":
		err = c.waitFresh(ctx)
		if errors.Is(err, errTimeout) {
			// Correct but slower: etcd answers consistent reads itself.
			c.cfg.Logger.Debug("watch cache behind etcd; listing from etcd")
			return c.listFromStore(ctx, prefix, opts, listObj)
		}
	case rv == 0:
		err = c.waitFor(ctx, 0, nil)
	default:
		err = c.waitFor(ctx, rv, time.After(c.cfg.FreshnessTimeout))
		if errors.Is(err, errTimeout) {
			return newTooLargeResourceVersionError(rv, c.currentRev(), 1)
		}
	}
	if err != nil {
		return err
	}
	_, err = c.listFromCache(prefix, prefix, 0, opts, listObj)
	return err
}

// listFromCache serves a list (page) starting at key from. With atRev != 0
// it serves only if the cache is exactly at atRev (a continued list must be
// one snapshot) and reports false otherwise.
func (c *Cacher) listFromCache(prefix, from string, atRev int64, opts ListOptions, listObj runtime.Object) (bool, error) {
	lb, err := newListBuilder(listObj)
	if err != nil {
		return false, err
	}
	c.mu.RLock()
	rev := c.rev
	if atRev != 0 && atRev != rev {
		c.mu.RUnlock()
		return false, nil
	}
	var entries []*entry
	if opts.Recursive {
		entries = c.items.scan(prefix, from)
	} else if e := c.items.get(prefix); e != nil {
		entries = []*entry{e}
	}
	c.mu.RUnlock()

	// Entries are immutable: filtering and copying run without the lock.
	pred := c.store.predicate(opts.Predicate)
	limit := len(entries)
	if opts.Limit > 0 && opts.Limit < int64(limit) {
		limit = int(opts.Limit)
	}
	selected := make([]*entry, 0, limit)
	examined := 0
	for _, e := range entries {
		if len(selected) == limit {
			break
		}
		examined++
		if pred.Empty() {
			selected = append(selected, e)
		} else if ok, err := pred.Matches(e.obj); err == nil && ok {
			selected = append(selected, e)
		}
	}
	var cont string
	var remaining *int64
	if opts.Limit > 0 && examined < len(entries) {
		if cont, err = encodeContinue(entries[examined-1].key+"\x00", prefix, rev); err != nil {
			return false, err
		}
		if pred.Empty() {
			n := int64(len(entries) - examined)
			remaining = &n
		}
	}
	if raw, ok := listObj.(*RawList); ok {
		raw.Items = make([][]byte, len(selected))
		for i, e := range selected {
			if raw.Items[i], err = e.enc.encoded(e.obj, raw.EncoderID, raw.Encode); err != nil {
				return false, err
			}
		}
		return true, setListMeta(listObj, rev, cont, remaining)
	}
	objs := make([]runtime.Object, len(selected))
	for i, e := range selected {
		objs[i] = e.obj
	}
	if err := lb.set(objs); err != nil {
		return false, err
	}
	return true, setListMeta(listObj, rev, cont, remaining)
}

// listFromStore lists from etcd, which cannot serve raw lists.
func (c *Cacher) listFromStore(ctx context.Context, prefix string, opts ListOptions, listObj runtime.Object) error {
	if _, ok := listObj.(*RawList); ok {
		return ErrRawListUnsupported
	}
	return c.store.List(ctx, prefix, opts, listObj)
}
