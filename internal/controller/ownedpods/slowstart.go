package ownedpods

import (
	"errors"
	"sync"
)

// BurstReplicas caps the creates or deletes of one sync, as upstream.
const BurstReplicas = 500

// SlowStart calls fn n times in batches that double from initial (1, 2,
// 4, ...), each batch in parallel, stopping after the first batch with an
// error: a set whose every create fails makes one failing request, not n.
// It returns how many calls succeeded and the errors of the last batch.
func SlowStart(n, initial int, fn func() error) (int, error) {
	done := 0
	for batch := min(n, initial); batch > 0; batch = min(2*batch, n-done) {
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			errs []error
		)
		for range batch {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := fn(); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		done += batch - len(errs)
		if len(errs) > 0 {
			return done, errors.Join(errs...)
		}
	}
	return done, nil
}
