package storage

import (
	"context"
	"fmt"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

const (
	// listPageSize is how many keys one etcd range read fetches when no
	// limit bounds it: big enough to need few round trips, small enough that
	// a list of large objects never needs one huge response in memory.
	listPageSize = 1000
	// maxListBatch caps the batch a filtered, limited list grows to.
	maxListBatch = 10000
)

// List implements Interface by reading etcd. Pages of a paginated list are
// read at the revision of the first page (WithRev), so together they form
// one consistent snapshot, until etcd compacts that revision (410).
func (s *Store) List(ctx context.Context, prefix string, opts ListOptions, listObj runtime.Object) error {
	if opts.Recursive {
		prefix = dirPrefix(prefix)
	}
	if err := s.checkKey(prefix); err != nil {
		return err
	}
	lb, err := newListBuilder(listObj)
	if err != nil {
		return err
	}
	pred := s.predicate(opts.Predicate)

	var (
		start   = prefix
		readRev int64 // 0: latest
		minRev  int64 // the read must be at least this new
		paging  = opts.Continue != ""
		cont    string
	)
	if paging {
		start, readRev, err = decodeContinue(opts.Continue, prefix)
		if err != nil {
			return err
		}
		if readRev < 0 { // an inconsistent continuation: read the latest
			readRev = 0
		}
	} else {
		rv, err := parseResourceVersion(opts.ResourceVersion)
		if err != nil {
			return err
		}
		if opts.ResourceVersionMatch == metav1.ResourceVersionMatchExact {
			if rv == 0 {
				return apierrors.NewBadRequest("resourceVersionMatch=Exact requires a non-zero resourceVersion")
			}
			readRev = rv
		} else {
			minRev = rv
		}
	}

	var objs []runtime.Object
	var rev int64
	var remaining *int64
	if !opts.Recursive {
		objs, rev, err = s.listKey(ctx, prefix, readRev, pred)
	} else {
		objs, rev, cont, remaining, err = s.listRange(ctx, prefix, start, readRev, opts.Limit, pred)
	}
	if err != nil {
		if isCompacted(err) {
			if paging {
				return expiredContinueError(start, prefix)
			}
			return apierrors.NewResourceExpired(listExpiredMsg)
		}
		return err
	}
	if minRev > rev {
		return newTooLargeResourceVersionError(minRev, rev, 1)
	}
	if err := lb.set(objs); err != nil {
		return err
	}
	return setListMeta(listObj, rev, cont, remaining)
}

// listKey is a non-recursive list: the object at key, if it matches.
func (s *Store) listKey(ctx context.Context, key string, readRev int64, pred Predicate) ([]runtime.Object, int64, error) {
	resp, err := s.client.Get(ctx, key, clientv3.WithRev(readRev))
	if err != nil {
		return nil, 0, err
	}
	if readRev == 0 {
		readRev = resp.Header.Revision
	}
	objs, _, err := s.decodeMatching(resp.Kvs, pred, 0)
	return objs, readRev, err
}

// listRange reads [start, end of prefix) in batches until limit objects
// matched (or the range ends), pinning every batch to the first one's
// revision. It returns the continue token when objects remain.
func (s *Store) listRange(ctx context.Context, prefix, start string, readRev, limit int64, pred Predicate) (
	objs []runtime.Object, rev int64, cont string, remaining *int64, err error) {
	end := clientv3.GetPrefixRangeEnd(prefix)
	batch := int64(listPageSize)
	if limit > 0 {
		batch = limit
	}
	rev = readRev
	for {
		resp, err := s.client.Get(ctx, start, clientv3.WithRange(end), clientv3.WithLimit(batch), clientv3.WithRev(rev))
		if err != nil {
			return nil, 0, "", nil, err
		}
		if rev == 0 {
			rev = resp.Header.Revision
		}
		want := 0
		if limit > 0 {
			want = int(limit) - len(objs)
		}
		matched, examined, err := s.decodeMatching(resp.Kvs, pred, want)
		if err != nil {
			return nil, 0, "", nil, err
		}
		objs = append(objs, matched...)
		if limit > 0 && int64(len(objs)) >= limit {
			// The page ends at the last key examined; anything after it
			// (in this batch or beyond) is for the next page.
			if resp.More || examined < len(resp.Kvs) {
				next := string(resp.Kvs[examined-1].Key) + "\x00"
				if cont, err = encodeContinue(next, prefix, rev); err != nil {
					return nil, 0, "", nil, err
				}
				if pred.Empty() {
					n := resp.Count - int64(examined)
					remaining = &n
				}
			}
			return objs, rev, cont, remaining, nil
		}
		if !resp.More || len(resp.Kvs) == 0 {
			return objs, rev, "", nil, nil
		}
		start = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
		// A selective filter may need many keys per match: read more at once.
		if limit > 0 && batch < maxListBatch {
			batch *= 2
		}
	}
}

// decodeMatching decodes kvs in order and keeps those matching pred, at
// most max (0: all). examined is how many kvs it looked at.
func (s *Store) decodeMatching(kvs []*mvccpb.KeyValue, pred Predicate, max int) (out []runtime.Object, examined int, err error) {
	for _, kv := range kvs {
		if max > 0 && len(out) == max {
			break
		}
		examined++
		obj, err := s.decodeNew(kv.Value, kv.ModRevision)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", kv.Key, err)
		}
		if ok, err := pred.Matches(obj); err != nil || !ok {
			continue
		}
		out = append(out, obj)
	}
	return out, examined, nil
}

// listEntries reads everything under prefix (or the one key) at rev (0:
// latest) in pages pinned to one revision: the watch cache's initial state
// and a direct watch's snapshot.
func (s *Store) listEntries(ctx context.Context, prefix string, recursive bool, rev int64) ([]*entry, int64, error) {
	opts := []clientv3.OpOption{clientv3.WithLimit(listPageSize)}
	end := ""
	if recursive {
		end = clientv3.GetPrefixRangeEnd(prefix)
		opts = append(opts, clientv3.WithRange(end))
	}
	var out []*entry
	from := prefix
	for {
		resp, err := s.client.Get(ctx, from, append(opts, clientv3.WithRev(rev))...)
		if err != nil {
			return nil, 0, err
		}
		if rev == 0 {
			// Later pages read at the first page's revision (the header
			// of a WithRev read is etcd's current revision, not rev).
			rev = resp.Header.Revision
		}
		for _, kv := range resp.Kvs {
			obj, err := s.decodeNew(kv.Value, kv.ModRevision)
			if err != nil {
				// One corrupt value must not take the whole resource
				// offline; it is logged and left out.
				s.cfg.Logger.WithError(err).WithField("key", string(kv.Key)).Error("skipping undecodable object")
				continue
			}
			out = append(out, &entry{key: string(kv.Key), obj: obj, rev: kv.ModRevision})
		}
		if !resp.More || len(resp.Kvs) == 0 {
			return out, rev, nil
		}
		from = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
}
