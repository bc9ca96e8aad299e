package kubelet

import (
	"sync"
	"time"
)

// Back-off for crashing containers and failing pulls, as upstream: 10s,
// doubling up to 5m, forgotten after 10 minutes without a new failure.
const (
	backOffInitial = 10 * time.Second
	backOffMax     = 5 * time.Minute
	backOffReset   = 2 * backOffMax
)

// backOff remembers the current delay per key (pod UID + container name, or
// pod UID + image). It is safe for concurrent use; the decision functions get
// a read-only view through delay.
type backOff struct {
	mu      sync.Mutex
	entries map[string]backOffEntry
}

type backOffEntry struct {
	delay      time.Duration
	lastUpdate time.Time
}

func newBackOff() *backOff { return &backOff{entries: map[string]backOffEntry{}} }

// delay returns the current delay for key, 0 when there is none or it was
// forgotten.
func (b *backOff) delay(key string, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.entries[key]
	if !ok || now.Sub(e.lastUpdate) > backOffReset {
		return 0
	}
	return e.delay
}

// next records one more failure: the delay starts at backOffInitial and
// doubles up to backOffMax.
func (b *backOff) next(key string, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.entries[key]
	if !ok || now.Sub(e.lastUpdate) > backOffReset {
		e.delay = backOffInitial
	} else {
		e.delay = min(2*e.delay, backOffMax)
	}
	e.lastUpdate = now
	b.entries[key] = e
	return e.delay
}

// forgetPrefix drops every key starting with prefix (a pod UID).
func (b *backOff) forgetPrefix(prefix string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k := range b.entries {
		if len(k) >= len(prefix) && k[:len(prefix)] == prefix {
			delete(b.entries, k)
		}
	}
}

// inBackOff reports whether a container that finished at finishedAt must
// still wait, given the current delay.
func inBackOff(delay time.Duration, finishedAt, now time.Time) bool {
	return delay > 0 && now.Sub(finishedAt) < delay
}

// holding reports whether key failed recently enough that the next attempt
// must wait (image pulls: the delay runs from the last failure).
func (b *backOff) holding(key string, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.entries[key]
	return ok && now.Sub(e.lastUpdate) < e.delay
}
