package ownedpods

import (
	"errors"
	"sync/atomic"
	"testing"
)

func TestSlowStart(t *testing.T) {
	var calls atomic.Int32
	n, err := SlowStart(10, 1, func() error { calls.Add(1); return nil })
	if n != 10 || err != nil || calls.Load() != 10 {
		t.Fatalf("all succeed: got %d, %v, %d calls", n, err, calls.Load())
	}
	calls.Store(0)
	n, err = SlowStart(100, 1, func() error {
		if calls.Add(1) > 4 { // batches 1, 2 succeed; the batch of 4 fails after one
			return errors.New("quota")
		}
		return nil
	})
	if err == nil || n != 4 || calls.Load() != 7 {
		t.Fatalf("failing: got %d successes, %v, %d calls; want 4 successes in 7 calls", n, err, calls.Load())
	}
}
