package plugins

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLiveLookup(t *testing.T) {
	now := time.Unix(1000, 0)
	var calls atomic.Int32
	fail := false
	release := make(chan struct{})
	l := newLiveLookup(func(_ context.Context, ns string) ([]string, error) {
		calls.Add(1)
		<-release
		if fail {
			return nil, errors.New("down")
		}
		return []string{ns}, nil
	})
	l.now = func() time.Time { return now }

	// Concurrent misses share one LIST.
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if items, err := l.get(context.Background(), "ns"); err != nil || len(items) != 1 {
				t.Errorf("get: %v %v", items, err)
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	steps := []struct {
		name      string
		do        func()
		wantCalls int32
		wantErr   bool
	}{
		{"concurrent misses", func() {}, 1, false},
		{"within the TTL", func() { now = now.Add(29 * time.Second) }, 1, false},
		{"after the TTL", func() { now = now.Add(2 * time.Second) }, 2, false},
		{"forgotten", func() { l.forget("ns") }, 3, false},
		{"errors are not kept", func() { l.forget("ns"); fail = true }, 4, true},
		{"and retried", func() { fail = false }, 5, false},
	}
	for _, st := range steps {
		st.do()
		_, err := l.get(context.Background(), "ns")
		if (err != nil) != st.wantErr || calls.Load() != st.wantCalls {
			t.Errorf("%s: err %v, %d calls, want %d", st.name, err, calls.Load(), st.wantCalls)
		}
	}
}
