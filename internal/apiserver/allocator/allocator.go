package allocator

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Allocator hands out values of one range (IPs or ports, as strings).
type Allocator interface {
	// Allocate takes a specific value ("10.43.0.10", "30080"). Errors wrap
	// ErrAllocated or ErrNotInRange with upstream's wording; the caller
	// maps them to a 422 on the field that asked for the value.
	Allocate(ctx context.Context, value string) error
	// AllocateNext takes a random free value; ErrFull when none is left.
	AllocateNext(ctx context.Context) (string, error)
	// Release gives a value back. Releasing a free value is not an error.
	Release(ctx context.Context, value string) error
	// Has tells whether value is allocated (false for values out of range).
	Has(ctx context.Context, value string) (bool, error)
}

// Sentinel errors; test with errors.Is. The errors returned carry a message
// naming the value kind and range, as upstream's do.
var (
	ErrAllocated  = errors.New("provided value is already allocated")
	ErrFull       = errors.New("range is full")
	ErrNotInRange = errors.New("provided value is not in the valid range")
)

// valueError is a sentinel with a specific message.
type valueError struct {
	sentinel error
	msg      string
}

func (e *valueError) Error() string { return e.msg }
func (e *valueError) Unwrap() error { return e.sentinel }

// space maps a range's values to offsets 0..size-1 and back.
type space interface {
	size() uint64
	value(off uint64) string
	// parse returns the canonical value (the key suffix) and its offset;
	// inRange is false for a well-formed value outside the range. err is
	// for values that are not values at all.
	parse(value string) (canonical string, off uint64, inRange bool, err error)
	// notInRange is the error for a value outside the range.
	notInRange(value string) error
	// allocated is the error for a taken value.
	allocated() error
}

// etcdAllocator implements Allocator over any space with one etcd key per
// allocated value.
type etcdAllocator struct {
	kv     clientv3.KV
	prefix string
	sp     space
	// static: offsets below it are left to Allocate as long as the rest of
	// the range has room.
	static uint64
	// reserved offsets are never returned by AllocateNext.
	reserved map[uint64]bool
}

func (a *etcdAllocator) key(canonical string) string { return a.prefix + canonical }

// Allocate implements Allocator.
func (a *etcdAllocator) Allocate(ctx context.Context, value string) error {
	canonical, _, inRange, err := a.sp.parse(value)
	if err != nil {
		return err
	}
	if !inRange {
		return a.sp.notInRange(value)
	}
	ok, err := a.create(ctx, canonical)
	if err != nil {
		return err
	}
	if !ok {
		return a.sp.allocated()
	}
	return nil
}

// AllocateNext implements Allocator: pick a free value from what etcd
// says is taken, then claim it; a claim lost to another server marks the
// value taken and picks again.
func (a *etcdAllocator) AllocateNext(ctx context.Context) (string, error) {
	taken, err := a.taken(ctx)
	if err != nil {
		return "", err
	}
	for {
		off, ok := a.pick(taken)
		if !ok {
			return "", &valueError{ErrFull, fmt.Sprintf("range is full: no free value among %d", a.sp.size())}
		}
		value := a.sp.value(off)
		created, err := a.create(ctx, value)
		if err != nil {
			return "", err
		}
		if created {
			return value, nil
		}
		taken[off] = true
	}
}

// Release implements Allocator.
func (a *etcdAllocator) Release(ctx context.Context, value string) error {
	canonical, _, _, err := a.sp.parse(value)
	if err != nil {
		return err
	}
	if _, err := a.kv.Delete(ctx, a.key(canonical)); err != nil {
		return fmt.Errorf("release %s: %w", value, err)
	}
	return nil
}

// Has implements Allocator.
func (a *etcdAllocator) Has(ctx context.Context, value string) (bool, error) {
	canonical, _, inRange, err := a.sp.parse(value)
	if err != nil || !inRange {
		return false, err
	}
	resp, err := a.kv.Get(ctx, a.key(canonical), clientv3.WithCountOnly())
	if err != nil {
		return false, fmt.Errorf("look up %s: %w", value, err)
	}
	return resp.Count > 0, nil
}

// create claims a value's key if nobody holds it.
func (a *etcdAllocator) create(ctx context.Context, canonical string) (bool, error) {
	key := a.key(canonical)
	resp, err := a.kv.Txn(ctx).
		If(clientv3.Compare(clientv3.CreateRevision(key), "=", 0)).
		Then(clientv3.OpPut(key, "")).
		Commit()
	if err != nil {
		return false, fmt.Errorf("allocate %s: %w", canonical, err)
	}
	return resp.Succeeded, nil
}

// taken reads the offsets allocated in the range (keys only).
func (a *etcdAllocator) taken(ctx context.Context) (map[uint64]bool, error) {
	resp, err := a.kv.Get(ctx, a.prefix, clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		return nil, fmt.Errorf("list allocations under %s: %w", a.prefix, err)
	}
	taken := make(map[uint64]bool, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		// Keys of another range (a changed CIDR) are simply not ours.
		if _, off, inRange, err := a.sp.parse(strings.TrimPrefix(string(kv.Key), a.prefix)); err == nil && inRange {
			taken[off] = true
		}
	}
	return taken, nil
}

// pick chooses a random free offset, from the upper (dynamic) band first.
func (a *etcdAllocator) pick(taken map[uint64]bool) (uint64, bool) {
	if off, ok := a.scan(a.static, a.sp.size(), taken); ok {
		return off, true
	}
	return a.scan(0, a.static, taken)
}

// scan walks [lo, hi) from a random start to the first free offset.
func (a *etcdAllocator) scan(lo, hi uint64, taken map[uint64]bool) (uint64, bool) {
	n := hi - lo
	if n == 0 {
		return 0, false
	}
	// A full band is common (a full range) and can be large: count instead
	// of walking it.
	var used uint64
	for off := range taken {
		if off >= lo && off < hi {
			used++
		}
	}
	for off := range a.reserved {
		if off >= lo && off < hi && !taken[off] {
			used++
		}
	}
	if used >= n {
		return 0, false
	}
	start := rand.Uint64N(n)
	for i := range n {
		off := lo + (start+i)%n
		if !taken[off] && !a.reserved[off] {
			return off, true
		}
	}
	return 0, false
}

// staticBand is upstream's size of the lower band left to explicit
// allocations: min(max(minBand, size/step), maxBand), none for tiny ranges.
func staticBand(size, minBand, maxBand, step uint64) uint64 {
	if size <= minBand {
		return 0
	}
	return min(max(minBand, size/step), maxBand)
}
