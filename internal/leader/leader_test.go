package leader

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hanok-dev/hanok/internal/testserver"
)

// TestOneLeaderThenHandOver: of two candidates only one leads; when it
// stops (releasing the lease) the other takes over at once.
func TestOneLeaderThenHandOver(t *testing.T) {
	s := testserver.Start(t)
	client := s.ClientFor(t, "system:kube-scheduler")
	timing := Timing{LeaseDuration: 2 * time.Second, RenewDeadline: time.Second, RetryPeriod: 100 * time.Millisecond}
	var leading [2]atomic.Bool
	var cancels [2]context.CancelFunc
	done := make(chan struct{}, 2)
	for i := range 2 {
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i] = cancel
		go func() {
			defer func() { done <- struct{}{} }()
			err := Run(ctx, client, Config{Name: "kube-scheduler", Identity: []string{"a", "b"}[i], Timing: timing},
				func(ctx context.Context) {
					leading[i].Store(true)
					<-ctx.Done()
					leading[i].Store(false)
				})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	t.Cleanup(func() {
		for _, c := range cancels {
			c()
		}
		<-done
		<-done
	})
	waitUntil(t, func() bool { return leading[0].Load() != leading[1].Load() })
	first := 0
	if leading[1].Load() {
		first = 1
	}
	// Stay a while: the other must not lead at the same time.
	for range 10 {
		time.Sleep(50 * time.Millisecond)
		if leading[0].Load() && leading[1].Load() {
			t.Fatal("two leaders at once")
		}
	}
	cancels[first]()
	waitUntil(t, func() bool { return leading[1-first].Load() })
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
