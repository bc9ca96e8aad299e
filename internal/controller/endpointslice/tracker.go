package endpointslice

import (
	"sync"

	discoveryv1 "k8s.io/api/discovery/v1"
)

// deleted marks a slice expected gone.
const deleted = -1

// tracker remembers, per service, the slices this controller wrote (the
// generation it wrote) or deleted, until the informer shows the write:
// syncing on a cache that does not yet show them could create a slice
// twice or resurrect a deleted endpoint.
type tracker struct {
	mu    sync.Mutex
	bySvc map[string]map[string]int64
}

func newTracker() *tracker { return &tracker{bySvc: map[string]map[string]int64{}} }

func (t *tracker) expect(svcKey, slice string, generation int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := t.bySvc[svcKey]
	if m == nil {
		m = map[string]int64{}
		t.bySvc[svcKey] = m
	}
	m[slice] = generation
}

// forget drops what is known of slice (deleted by someone else).
func (t *tracker) forget(svcKey, slice string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.bySvc[svcKey], slice)
}

func (t *tracker) forgetService(svcKey string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.bySvc, svcKey)
}

// stale says whether cached (the service's slices in the cache, by name)
// lags behind this controller's writes; it drops what the cache shows.
func (t *tracker) stale(svcKey string, cached map[string]*discoveryv1.EndpointSlice) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	stale := false
	for name, gen := range t.bySvc[svcKey] {
		s, ok := cached[name]
		switch {
		case gen == deleted && ok, gen != deleted && (!ok || s.Generation < gen):
			stale = true
		default:
			delete(t.bySvc[svcKey], name)
		}
	}
	return stale
}
