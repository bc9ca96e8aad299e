package storage

import (
	"sort"
	"time"
)

// history is the watch cache's window of recent events, oldest first, in a
// ring that grows with the event rate and shrinks back when it calms down.
// A watch resuming at resourceVersion N replays the events after N from
// here; once N falls out of the window the client gets 410 and relists.
//
// Sizing follows upstream's idea: keep at least min events, and keep every
// event younger than window (growing up to max) so a burst does not push
// out what a briefly disconnected client needs; drop the rest. The ring
// starts at min slots (8 bytes each); old objects it references are what
// costs memory, which is why the window, not max, bounds it normally.
type history struct {
	ring   []*event
	head   int // index of the oldest event
	n      int
	min    int
	max    int
	window time.Duration
	// startRev: every event with a revision > startRev is held. It moves
	// forward as old events are dropped.
	startRev int64
}

func newHistory(min, max int, window time.Duration) *history {
	return &history{ring: make([]*event, min), min: min, max: max, window: window}
}

// reset empties the history after a relist at rev: nothing before it can be
// replayed any more.
func (h *history) reset(rev int64) {
	h.ring = make([]*event, h.min)
	h.head, h.n = 0, 0
	h.startRev = rev
}

func (h *history) at(i int) *event { return h.ring[(h.head+i)%len(h.ring)] }

// add appends ev (ev.at set), dropping or growing as the rules above say.
func (h *history) add(ev *event) {
	if h.n == len(h.ring) {
		oldestFresh := time.Duration(ev.at-h.at(0).at) < h.window
		if oldestFresh && len(h.ring) < h.max {
			h.resize(min(2*len(h.ring), h.max))
		} else {
			h.dropOldest()
		}
	}
	h.ring[(h.head+h.n)%len(h.ring)] = ev
	h.n++
}

func (h *history) dropOldest() {
	old := h.ring[h.head]
	h.ring[h.head] = nil
	h.head = (h.head + 1) % len(h.ring)
	h.n--
	h.startRev = old.rev
}

func (h *history) resize(size int) {
	ring := make([]*event, size)
	for i := 0; i < h.n; i++ {
		ring[i] = h.at(i)
	}
	h.ring, h.head = ring, 0
}

// expire drops events older than the window beyond the first min, and
// gives back memory once the ring is mostly empty. now is unix nanoseconds.
func (h *history) expire(now int64) {
	for h.n > h.min && time.Duration(now-h.at(0).at) >= h.window {
		h.dropOldest()
	}
	if len(h.ring) > h.min && h.n < len(h.ring)/4 {
		h.resize(max(h.min, len(h.ring)/2))
	}
}

// since returns the events after rev, or false when some of them were
// already dropped (rev < startRev).
func (h *history) since(rev int64) ([]*event, bool) {
	if rev < h.startRev {
		return nil, false
	}
	first := sort.Search(h.n, func(i int) bool { return h.at(i).rev > rev })
	out := make([]*event, h.n-first)
	for i := range out {
		out[i] = h.at(first + i)
	}
	return out, true
}
