package allocator

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"testing"
)

func TestIPAllocatorConcurrentAllocateNext(t *testing.T) {
	a := newIP(t, "10.99.0.0/28") // 14 usable, the first reserved: 13
	ctx := context.Background()
	const callers = 50
	var (
		mu   sync.Mutex
		got  = map[string]int{}
		full int
		wg   sync.WaitGroup
	)
	for range callers {
		wg.Go(func() {
			ip, err := a.AllocateNext(ctx)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, ErrFull):
				full++
			case err != nil:
				t.Errorf("AllocateNext: %v", err)
			default:
				got[ip]++
			}
		})
	}
	wg.Wait()
	if len(got) != 13 || full != callers-13 {
		t.Fatalf("%d distinct IPs, %d ErrFull; want 13 and %d", len(got), full, callers-13)
	}
	_, n, _ := net.ParseCIDR("10.99.0.0/28")
	for ip, count := range got {
		parsed := net.ParseIP(ip)
		if count != 1 {
			t.Errorf("%s handed out %d times", ip, count)
		}
		if !n.Contains(parsed) || ip == "10.99.0.0" || ip == "10.99.0.15" || ip == "10.99.0.1" {
			t.Errorf("handed out %s", ip)
		}
	}
	// The reserved first IP is still free for the kubernetes Service.
	if err := a.Allocate(ctx, "10.99.0.1"); err != nil {
		t.Fatalf("allocate the first IP: %v", err)
	}
	if _, err := a.AllocateNext(ctx); !errors.Is(err, ErrFull) {
		t.Fatalf("after everything: %v", err)
	}
}

// Two allocators (two API servers) over the same etcd never hand out the
// same value.
func TestTwoServersNeverShare(t *testing.T) {
	p := prefix()
	a1, err := newPortAllocator(testClient.KV, p, 30000, 30039)
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := newPortAllocator(testClient.KV, p, 30000, 30039)
	ctx := context.Background()
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for i := range 20 {
		a := a1
		if i%2 == 1 {
			a = a2
		}
		wg.Go(func() {
			for {
				v, err := a.AllocateNext(ctx)
				if errors.Is(err, ErrFull) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[v] {
					t.Errorf("%s allocated twice", v)
				}
				seen[v] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 40 {
		t.Fatalf("allocated %d ports, want all 40", len(seen))
	}
}

func TestAllocateReleaseHas(t *testing.T) {
	ctx := context.Background()
	ips := newIP(t, "10.43.0.0/16")
	ports, err := newPortAllocator(testClient.KV, prefix(), 30000, 32767)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		a          Allocator
		value      string
		other      string // another valid value, for normalisation checks
		outside    []string
		allocated  string
		notInRange string
	}{
		{"ip", ips, "10.43.0.10", "10.43.255.254",
			[]string{"10.44.0.1", "10.43.0.0", "10.43.255.255", "fd00::1", "not-an-ip"},
			"provided IP is already allocated",
			"the provided IP (10.44.0.1) is not in the valid range. The range of valid IPs is 10.43.0.0/16"},
		{"port", ports, "30080", "32767",
			[]string{"29999", "32768", "0", "70000", "http"},
			"provided port is already allocated",
			"provided port is not in the valid range. The range of valid ports is 30000-32767"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.a.Allocate(ctx, tt.value); err != nil {
				t.Fatal(err)
			}
			err := tt.a.Allocate(ctx, tt.value)
			if !errors.Is(err, ErrAllocated) || err.Error() != tt.allocated {
				t.Fatalf("second allocate: %v", err)
			}
			if has, err := tt.a.Has(ctx, tt.value); !has || err != nil {
				t.Fatalf("Has after allocate = %v, %v", has, err)
			}
			if err := tt.a.Release(ctx, tt.value); err != nil {
				t.Fatal(err)
			}
			if has, _ := tt.a.Has(ctx, tt.value); has {
				t.Fatal("Has after release")
			}
			if err := tt.a.Release(ctx, tt.value); err != nil {
				t.Fatalf("releasing a free value: %v", err)
			}
			if err := tt.a.Allocate(ctx, tt.value); err != nil {
				t.Fatalf("re-allocate after release: %v", err)
			}
			if err := tt.a.Allocate(ctx, tt.other); err != nil {
				t.Fatalf("allocate the last value: %v", err)
			}
			for i, v := range tt.outside {
				err := tt.a.Allocate(ctx, v)
				if !errors.Is(err, ErrNotInRange) {
					t.Errorf("Allocate(%s) = %v, want ErrNotInRange", v, err)
				}
				if i == 0 && err.Error() != tt.notInRange {
					t.Errorf("message %q\nwant %q", err, tt.notInRange)
				}
				if has, _ := tt.a.Has(ctx, v); has {
					t.Errorf("Has(%s) for a value out of range", v)
				}
			}
		})
	}
}

// AllocateNext leaves the lower band to explicit requests while the upper
// part has room, so e.g. the cluster DNS IP 10.43.0.10 stays free.
func TestAllocateNextPrefersUpperBand(t *testing.T) {
	ctx := context.Background()
	a := newIP(t, "10.43.0.0/16")
	if a.static != 256 {
		t.Fatalf("static band %d, want 256", a.static)
	}
	for range 50 {
		v, err := a.AllocateNext(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, off, _, _ := a.sp.parse(v); off < a.static {
			t.Fatalf("AllocateNext gave %s from the static band", v)
		}
	}
	p, err := newPortAllocator(testClient.KV, prefix(), 30000, 32767)
	if err != nil {
		t.Fatal(err)
	}
	if p.static != 86 {
		t.Fatalf("port static band %d, want 86", p.static)
	}
	for range 50 {
		v, _ := p.AllocateNext(ctx)
		if n, _ := strconv.Atoi(v); n < 30086 {
			t.Fatalf("AllocateNext gave port %d from the static band", n)
		}
	}
}
