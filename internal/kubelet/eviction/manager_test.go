package eviction

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
)

// fakeNode feeds readings to a Manager and records evictions.
type fakeNode struct {
	mu       sync.Mutex
	readings Readings
	clock    time.Time
	pods     []*v1.Pod
	evicted  []string
}

func (f *fakeNode) set(r func(*Readings)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r(&f.readings)
}

func (f *fakeNode) manager(t Thresholds, usage map[string]Usage) *Manager {
	m := NewManager(t, "/nonexistent", "/hanok/test",
		WithMeasure(func() (Readings, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.readings, nil
		}),
		WithPodUsage(usages(usage)),
		WithTransitionPeriod(30*time.Second))
	m.now = func() time.Time { return f.clock }
	return m
}

func (f *fakeNode) sync(m *Manager) {
	m.synchronize(func() []*v1.Pod { return f.pods }, func(p *v1.Pod, msg string) {
		f.evicted = append(f.evicted, p.Name+": "+msg)
	})
}

func TestManagerPressureAndEviction(t *testing.T) {
	f := &fakeNode{
		readings: Readings{MemoryAvailable: gi, MemoryCapacity: 4 * gi, NodeFsAvailable: 50 * gi, NodeFsCapacity: 100 * gi},
		clock:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		pods:     []*v1.Pod{testPod("small", 0, "", ""), testPod("hog", 0, "", ""), testPod("guaranteed", 0, "2Gi", "")},
	}
	m := f.manager(Thresholds{}, map[string]Usage{
		"small": {Memory: 10 * mi}, "hog": {Memory: gi}, "guaranteed": {Memory: gi},
	})
	step := func(d time.Duration) { f.clock = f.clock.Add(d); f.sync(m) }

	step(0)
	if m.MemoryPressure() || m.DiskPressure() || m.PIDPressure() || len(f.evicted) != 0 {
		t.Fatalf("healthy node: pressure %v/%v/%v, evicted %v", m.MemoryPressure(), m.DiskPressure(), m.PIDPressure(), f.evicted)
	}

	f.set(func(r *Readings) { r.MemoryAvailable = 50 * mi })
	step(10 * time.Second)
	if !m.MemoryPressure() || m.DiskPressure() {
		t.Fatalf("low memory: memory pressure %v, disk pressure %v", m.MemoryPressure(), m.DiskPressure())
	}
	if len(f.evicted) != 1 || !strings.HasPrefix(f.evicted[0], "hog: The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi. Container app was using 1Gi, request is 0") {
		t.Fatalf("evicted = %q, want the hog alone", f.evicted)
	}

	// The hog is still terminating: no second eviction yet.
	step(10 * time.Second)
	if len(f.evicted) != 1 {
		t.Fatalf("evicted another pod while the first was still there: %q", f.evicted)
	}
	// It is gone, memory still low: the next one.
	f.pods = f.pods[:1]
	f.pods = append(f.pods, testPod("guaranteed", 0, "2Gi", ""))
	step(10 * time.Second)
	if len(f.evicted) != 2 || !strings.HasPrefix(f.evicted[1], "small:") {
		t.Fatalf("second eviction = %q, want small (over its request of 0; guaranteed is within)", f.evicted)
	}

	// Memory recovers: pressure stays for the transition period, no evictions.
	f.set(func(r *Readings) { r.MemoryAvailable = gi })
	f.pods = f.pods[1:]
	step(10 * time.Second)
	if !m.MemoryPressure() || len(f.evicted) != 2 {
		t.Fatalf("within the transition period: pressure %v, evicted %d", m.MemoryPressure(), len(f.evicted))
	}
	step(25 * time.Second)
	if m.MemoryPressure() {
		t.Fatal("memory pressure 35s after the last low reading")
	}
}

func TestManagerDiskPressureAndNothingToEvict(t *testing.T) {
	critical := testPod("static", 0, "", "")
	critical.Annotations = map[string]string{"kubernetes.io/config.source": "file"}
	f := &fakeNode{
		readings: Readings{MemoryAvailable: gi, MemoryCapacity: 4 * gi, NodeFsAvailable: gi, NodeFsCapacity: 100 * gi},
		clock:    time.Now(),
		pods:     []*v1.Pod{critical},
	}
	m := f.manager(Thresholds{}, map[string]Usage{"static": {Storage: 50 * gi}})
	f.sync(m)
	if !m.DiskPressure() || m.MemoryPressure() {
		t.Errorf("disk pressure %v, memory pressure %v", m.DiskPressure(), m.MemoryPressure())
	}
	if len(f.evicted) != 0 {
		t.Errorf("evicted a static pod: %v", f.evicted)
	}
}

func TestManagerOnThisHost(t *testing.T) {
	m := NewManager(Thresholds{}, t.TempDir(), "/hanok/eviction-test", WithInterval(10*time.Millisecond))
	r, err := m.measure()
	if err != nil {
		t.Fatal(err)
	}
	if r.MemoryCapacity <= 0 || r.MemoryAvailable <= 0 || r.NodeFsCapacity <= 0 || r.PIDMax <= 0 || r.PIDsAvailable <= 0 {
		t.Errorf("readings of this host = %+v", r)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	m.Run(ctx, func() []*v1.Pod { return nil }, func(*v1.Pod, string) { t.Error("evicted with no pods") })
}
