package ownedpods

import (
	"sync"
	"time"
)

// ExpectationsTTL is how long unobserved expectations hold a controller
// back: past it a sync goes ahead anyway (a watch event was lost).
const ExpectationsTTL = 5 * time.Minute

// Expectations records, per controller key, the pod creates still to be
// seen by the informer and the pods (by namespace/name) whose deletion is
// still to be seen. A controller only acts on a key once its expectations
// are satisfied, so a cache that lags behind its own writes cannot make
// it create or delete twice.
type Expectations struct {
	mu    sync.Mutex
	byKey map[string]*expectation
	now   func() time.Time
}

type expectation struct {
	adds    int
	deletes map[string]bool
	set     time.Time
}

// NewExpectations is an empty set of expectations.
func NewExpectations() *Expectations {
	return &Expectations{byKey: map[string]*expectation{}, now: time.Now}
}

// Satisfied says whether key may be synced: nothing is pending, or what is
// pending is older than ExpectationsTTL.
func (e *Expectations) Satisfied(key string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	x, ok := e.byKey[key]
	if !ok {
		return true
	}
	if x.adds <= 0 && len(x.deletes) == 0 {
		return true
	}
	return e.now().Sub(x.set) > ExpectationsTTL
}

// ExpectCreations records that n pods are about to be created for key.
func (e *Expectations) ExpectCreations(key string, n int) { e.Expect(key, n, nil) }

// ExpectDeletions records that the pods podKeys are about to be deleted.
func (e *Expectations) ExpectDeletions(key string, podKeys []string) { e.Expect(key, 0, podKeys) }

// Expect records, replacing what key expected before, that adds pods are
// about to be created and the pods podKeys deleted.
func (e *Expectations) Expect(key string, adds int, podKeys []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	x := &expectation{adds: adds, deletes: map[string]bool{}, set: e.now()}
	for _, k := range podKeys {
		x.deletes[k] = true
	}
	e.byKey[key] = x
}

// CreationObserved lowers key's pending creates by one: the informer saw
// a new pod, or a create failed and will not be seen.
func (e *Expectations) CreationObserved(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if x, ok := e.byKey[key]; ok && x.adds > 0 {
		x.adds--
	}
}

// DeletionObserved marks podKey's deletion as seen (or as failed).
func (e *Expectations) DeletionObserved(key, podKey string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if x, ok := e.byKey[key]; ok {
		delete(x.deletes, podKey)
	}
}

// Delete forgets key (its controller is gone).
func (e *Expectations) Delete(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.byKey, key)
}
