package storage

import (
	"testing"
	"time"
)

func TestHistory(t *testing.T) {
	sec := int64(time.Second)
	tests := []struct {
		name      string
		min, max  int
		window    time.Duration
		ats       []int64 // event i has rev 11+i, received at ats[i]
		expireAt  int64   // 0: no expire call
		since     int64
		wantRevs  []int64 // nil with wantOK false: too old
		wantOK    bool
		wantStart int64
		wantCap   int
	}{{
		name: "within min, nothing dropped",
		min:  4, max: 8, window: time.Second,
		ats:   []int64{0, 0, 0},
		since: 10, wantRevs: []int64{11, 12, 13}, wantOK: true, wantStart: 10, wantCap: 4,
	}, {
		name: "fresh events make the ring grow up to max",
		min:  2, max: 8, window: time.Minute,
		ats:   []int64{0, 1, 2, 3, 4, 5},
		since: 10, wantRevs: []int64{11, 12, 13, 14, 15, 16}, wantOK: true, wantStart: 10, wantCap: 8,
	}, {
		name: "at max the oldest goes",
		min:  2, max: 4, window: time.Minute,
		ats:   []int64{0, 1, 2, 3, 4, 5},
		since: 12, wantRevs: []int64{13, 14, 15, 16}, wantOK: true, wantStart: 12, wantCap: 4,
	}, {
		name: "evicted revision is too old",
		min:  2, max: 4, window: time.Minute,
		ats:   []int64{0, 1, 2, 3, 4, 5},
		since: 11, wantOK: false, wantStart: 12, wantCap: 4,
	}, {
		name: "old events are overwritten instead of growing",
		min:  2, max: 8, window: time.Second,
		ats:   []int64{0, 5 * sec, 10 * sec},
		since: 11, wantRevs: []int64{12, 13}, wantOK: true, wantStart: 11, wantCap: 2,
	}, {
		name: "expire drops beyond min and the window, and shrinks",
		min:  2, max: 64, window: time.Second,
		ats:      []int64{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		expireAt: 10 * sec,
		since:    25, wantRevs: []int64{26, 27}, wantOK: true, wantStart: 25, wantCap: 16,
	}, {
		name: "since the newest is empty",
		min:  4, max: 4, window: time.Second,
		ats:   []int64{0, 0},
		since: 12, wantRevs: []int64{}, wantOK: true, wantStart: 10, wantCap: 4,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHistory(tt.min, tt.max, tt.window)
			h.reset(10)
			for i, at := range tt.ats {
				h.add(&event{rev: int64(11 + i), at: at})
			}
			if tt.expireAt != 0 {
				h.expire(tt.expireAt)
			}
			evs, ok := h.since(tt.since)
			if ok != tt.wantOK {
				t.Fatalf("since(%d) ok = %v", tt.since, ok)
			}
			if ok {
				var revs []int64
				for _, e := range evs {
					revs = append(revs, e.rev)
				}
				if len(revs) != len(tt.wantRevs) {
					t.Fatalf("since(%d) = %v, want %v", tt.since, revs, tt.wantRevs)
				}
				for i := range revs {
					if revs[i] != tt.wantRevs[i] {
						t.Fatalf("since(%d) = %v, want %v", tt.since, revs, tt.wantRevs)
					}
				}
			}
			if h.startRev != tt.wantStart || len(h.ring) != tt.wantCap {
				t.Fatalf("startRev %d cap %d, want %d %d", h.startRev, len(h.ring), tt.wantStart, tt.wantCap)
			}
		})
	}
}
