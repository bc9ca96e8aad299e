package storage

import (
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
)

// entry is one cached object. Entries are immutable: a change replaces the
// entry, so a reader holding an old one keeps a consistent object without
// locks.
type entry struct {
	key string
	obj runtime.Object // resourceVersion set to rev
	rev int64
	// enc caches obj's serializations for raw lists (see RawList).
	enc encodings
}

// index is the cache's current state: entries sorted by key. A sorted slice
// instead of a map plus sort-on-list: lists are ranges (a namespace is a key
// prefix) already in etcd's order, pagination resumes by binary search, and
// there is no per-object map overhead. Inserting or removing shifts the
// tail, a memmove of 8 bytes per object (~10µs at 10,000 objects), far
// cheaper than the etcd write that caused it.
type index struct {
	items []*entry
}

// search returns the position of the first entry with key >= key.
func (x *index) search(key string) int {
	return sort.Search(len(x.items), func(i int) bool { return x.items[i].key >= key })
}

func (x *index) get(key string) *entry {
	i := x.search(key)
	if i < len(x.items) && x.items[i].key == key {
		return x.items[i]
	}
	return nil
}

// put stores e and returns the entry it replaced, if any.
func (x *index) put(e *entry) *entry {
	i := x.search(e.key)
	if i < len(x.items) && x.items[i].key == e.key {
		prev := x.items[i]
		x.items[i] = e
		return prev
	}
	x.items = append(x.items, nil)
	copy(x.items[i+1:], x.items[i:])
	x.items[i] = e
	return nil
}

// remove deletes key and returns its entry, if any.
func (x *index) remove(key string) *entry {
	i := x.search(key)
	if i == len(x.items) || x.items[i].key != key {
		return nil
	}
	prev := x.items[i]
	copy(x.items[i:], x.items[i+1:])
	x.items[len(x.items)-1] = nil
	x.items = x.items[:len(x.items)-1]
	return prev
}

// scan returns a copy of the entries with from <= key that start with
// prefix, so the caller can use them after releasing the cache's lock.
func (x *index) scan(prefix, from string) []*entry {
	if from < prefix {
		from = prefix
	}
	lo := x.search(from)
	hi := lo + sort.Search(len(x.items)-lo, func(i int) bool { return !strings.HasPrefix(x.items[lo+i].key, prefix) })
	return append([]*entry(nil), x.items[lo:hi]...)
}

func (x *index) len() int { return len(x.items) }
