package stats

import (
	"math"
	"math/bits"
	"sync"
)

// cpuSample is a cumulative CPU counter read at a moment (both in ns).
type cpuSample struct {
	at    int64  // unix nanoseconds of the reading
	usage uint64 // cumulative CPU time in nanoseconds
}

// rateTracker turns cumulative CPU counters into usage in nanocores, per
// object (node, pod sandbox, container ID), from two samples at least
// minWindow apart. Between such samples it repeats the last rate, so a
// scrape right after the background sample still gets a value.
type rateTracker struct {
	minWindow int64

	mu   sync.Mutex
	prev map[string]cpuSample
	rate map[string]uint64
	seen map[string]bool
}

func newRateTracker(minWindowNanos int64) *rateTracker {
	return &rateTracker{minWindow: minWindowNanos, prev: map[string]cpuSample{}, rate: map[string]uint64{}, seen: map[string]bool{}}
}

// observe records s for key and returns the key's current rate, if known.
func (t *rateTracker) observe(key string, s cpuSample) (uint64, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seen[key] = true
	prev, ok := t.prev[key]
	switch {
	case !ok || s.usage < prev.usage || s.at < prev.at:
		// First sight, or the counter restarted (a new container under an
		// old key): start over from here.
		t.prev[key] = s
		delete(t.rate, key)
		return 0, false
	case s.at-prev.at < t.minWindow:
		r, ok := t.rate[key]
		return r, ok
	}
	r := nanoCores(prev, s)
	t.prev[key], t.rate[key] = s, r
	return r, true
}

// nanoCores is the CPU used between two samples, in billionths of a core.
func nanoCores(a, b cpuSample) uint64 {
	dt := b.at - a.at
	if dt <= 0 || b.usage < a.usage {
		return 0
	}
	// du*1e9 overflows uint64 past ~18 CPU-seconds: multiply to 128 bits.
	hi, lo := bits.Mul64(b.usage-a.usage, 1e9)
	if hi >= uint64(dt) {
		return math.MaxUint64
	}
	q, _ := bits.Div64(hi, lo, uint64(dt))
	return q
}

// sweep forgets keys not observed since the last sweep (containers and
// pods that are gone), so the tracker stays as small as the node.
func (t *rateTracker) sweep() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k := range t.prev {
		if !t.seen[k] {
			delete(t.prev, k)
			delete(t.rate, k)
		}
	}
	t.seen = map[string]bool{}
}
