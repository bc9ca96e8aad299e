package eviction

import (
	"context"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// Manager measures the node, reports pressure and evicts pods under it.
type Manager struct {
	thresholds Thresholds
	interval   time.Duration
	transition time.Duration
	cleanup    time.Duration
	measure    func() (Readings, error)
	usage      PodUsageFunc
	now        func() time.Time
	node       *node // the real machine, unless measure and usage are replaced

	mu           sync.Mutex
	lastObserved [3]time.Time // by memoryOrder, diskOrder, pidOrder
	metNow       [3]bool
	evicted      map[types.UID]time.Time // evicted pods, until they are gone
}

// Option changes a Manager's defaults.
type Option func(*Manager)

// WithInterval sets how often the node is measured and one pod may be
// evicted (default 10s).
func WithInterval(d time.Duration) Option { return func(m *Manager) { m.interval = d } }

// WithTransitionPeriod sets how long pressure is still reported after the
// last reading that crossed a threshold (default 30s).
func WithTransitionPeriod(d time.Duration) Option { return func(m *Manager) { m.transition = d } }

// WithMeasure replaces the node measurement (tests feed fake readings).
func WithMeasure(f func() (Readings, error)) Option { return func(m *Manager) { m.measure = f } }

// WithPodUsage replaces how pods' usage is read, e.g. with CRI stats,
// which know container writable layers and logs.
func WithPodUsage(f PodUsageFunc) Option { return func(m *Manager) { m.usage = f } }

// WithImageFsDir measures imagefs at dir (the containerd root) instead of
// the kubelet root.
func WithImageFsDir(dir string) Option {
	return func(m *Manager) { m.node.imageFsDir = dir }
}

// NewManager returns a Manager measuring the filesystem of rootDir (the
// kubelet root: nodefs, and imagefs unless WithImageFsDir), memory of the
// machine and of cgroupRoot (the node's pods' cgroup), with thresholds t
// (zero fields take upstream's defaults).
func NewManager(t Thresholds, rootDir string, cgroupRoot string, opts ...Option) *Manager {
	m := &Manager{
		thresholds: t.withDefaults(),
		interval:   10 * time.Second,
		transition: 30 * time.Second,
		cleanup:    30 * time.Second,
		now:        time.Now,
		node:       &node{root: "/", cgroupRoot: cgroupRoot, nodeFsDir: rootDir, imageFsDir: rootDir},
		evicted:    map[types.UID]time.Time{},
	}
	for _, o := range opts {
		o(m)
	}
	if m.measure == nil {
		m.measure = m.node.measure
	}
	if m.usage == nil {
		m.usage = m.node.podUsage(rootDir)
	}
	return m
}

// Run measures every interval until ctx ends; while a threshold is met it
// calls evict with ONE pod (the first of the ranking) per interval, and
// waits for an evicted pod to leave pods() (or 30s) before choosing the
// next. evict must stop the pod (upstream: grace period 0, status Failed,
// reason Evicted, the message given).
func (m *Manager) Run(ctx context.Context, pods func() []*v1.Pod, evict func(pod *v1.Pod, message string)) {
	t := time.NewTicker(m.interval)
	defer t.Stop()
	for {
		m.synchronize(pods, evict)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// synchronize is one interval: measure, update pressure, maybe evict.
func (m *Manager) synchronize(pods func() []*v1.Pod, evict func(*v1.Pod, string)) {
	r, err := m.measure()
	if err != nil {
		log.WithError(err).Warn("measuring node for eviction")
		return
	}
	met := thresholdsMet(m.thresholds, r)
	now := m.now()
	m.mu.Lock()
	m.metNow = [3]bool{}
	for _, t := range met {
		m.metNow[pressureOf(t.Signal)] = true
		m.lastObserved[pressureOf(t.Signal)] = now
	}
	m.mu.Unlock()
	if len(met) == 0 {
		return
	}
	active := pods()
	if m.waitingForCleanup(active, now) {
		return
	}
	if pod, msg, ok := choose(active, met[0], m.usage); ok {
		log.WithField("pod", pod.Namespace+"/"+pod.Name).WithField("signal", met[0].Signal).Info("evicting pod: " + msg)
		m.mu.Lock()
		m.evicted[pod.UID] = now
		m.mu.Unlock()
		evict(pod, msg)
	} else {
		log.WithField("signal", met[0].Signal).Warn("node under pressure and no pod to evict")
	}
}

// choose ranks the evictable pods for the threshold and returns the first
// with its message.
func choose(pods []*v1.Pod, t Met, usage PodUsageFunc) (*v1.Pod, string, bool) {
	ranked := rank(evictable(pods), t.Resource, usage)
	if len(ranked) == 0 {
		return nil, "", false
	}
	p := ranked[0]
	u, _ := usage(p)
	return p, message(p, t, u), true
}

// waitingForCleanup reports an evicted pod still among the active ones
// for less than the cleanup time: evicting another before its memory or
// disk is freed would evict more than needed. Pods gone are forgotten.
func (m *Manager) waitingForCleanup(active []*v1.Pod, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	present := map[types.UID]bool{}
	for _, p := range active {
		present[p.UID] = true
	}
	wait := false
	for uid, at := range m.evicted {
		switch {
		case !present[uid]:
			delete(m.evicted, uid)
		case now.Sub(at) < m.cleanup:
			wait = true
		}
	}
	return wait
}

// pressure reports a threshold met at the last reading or within the
// transition period before it.
func (m *Manager) pressure(i int) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.metNow[i] {
		return true
	}
	last := m.lastObserved[i]
	return !last.IsZero() && m.now().Sub(last) < m.transition
}

// MemoryPressure reports memory.available under its threshold.
func (m *Manager) MemoryPressure() bool { return m.pressure(memoryOrder) }

// DiskPressure reports nodefs or imagefs space or inodes under their thresholds.
func (m *Manager) DiskPressure() bool { return m.pressure(diskOrder) }

// PIDPressure reports pid.available under its threshold.
func (m *Manager) PIDPressure() bool { return m.pressure(pidOrder) }
