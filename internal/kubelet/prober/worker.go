package prober

import (
	"context"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// worker probes one container for one kind on the container's schedule.
// Its result is guarded by the manager's lock.
type worker struct {
	m           *Manager
	podUID      types.UID
	container   *v1.Container
	kind        Kind
	probe       *v1.Probe
	containerID string
	startedAt   time.Time

	stop     chan struct{}
	stopped  sync.Once
	result   Result // under m.mu
	last     Result // last verdict seen, for thresholds (worker goroutine only)
	runCount int    // how many times in a row last was seen
}

func newWorker(m *Manager, uid types.UID, c *v1.Container, k Kind, info ContainerInfo) *worker {
	w := &worker{
		m: m, podUID: uid, container: c, kind: k, probe: probeOf(c, k),
		containerID: info.ID, startedAt: info.StartedAt,
		stop: make(chan struct{}),
	}
	if w.startedAt.IsZero() {
		w.startedAt = time.Now()
	}
	switch k {
	case Readiness:
		w.result = Failure
	case Liveness:
		w.result = Success
	case Startup:
		w.result = Unknown
	}
	return w
}

func (w *worker) stopOnce() { w.stopped.Do(func() { close(w.stop) }) }

func (w *worker) seconds(n int32, def int32) time.Duration {
	if n <= 0 {
		n = def
	}
	return time.Duration(n) * w.m.second
}

// run probes first when initialDelaySeconds have passed since the
// container started, then every periodSeconds, until stopped or until the
// verdict is final (liveness or startup failed: the kubelet restarts the
// container and Sync brings a new worker; startup succeeded: it never runs
// again for this container).
func (w *worker) run() {
	first := time.Until(w.startedAt.Add(w.seconds(w.probe.InitialDelaySeconds, 0)))
	if !w.wait(first) {
		return
	}
	period := w.seconds(w.probe.PeriodSeconds, 10)
	for {
		if !w.doProbe() {
			return
		}
		if !w.wait(period) {
			return
		}
	}
}

// wait sleeps d; false when the worker was stopped meanwhile.
func (w *worker) wait(d time.Duration) bool {
	if d <= 0 {
		select {
		case <-w.stop:
			return false
		default:
			return true
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-w.stop:
		return false
	case <-t.C:
		return true
	}
}

// doProbe runs one attempt and applies the thresholds; false when this
// worker has nothing more to do.
func (w *worker) doProbe() bool {
	if w.kind != Startup && !w.m.started(w.podUID, w.container) {
		// Liveness and readiness wait for the startup probe; meanwhile
		// the container is not ready (already the readiness default).
		return true
	}
	pod := w.m.currentPod(w.podUID)
	if pod == nil {
		return false
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-w.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	res, msg := Probe(ctx, w.probe, pod, w.container, w.containerID, w.m.rt)
	cancel()
	select {
	case <-w.stop:
		return false
	default:
	}
	if res == Unknown {
		// The probe could not run: no verdict, as upstream.
		log.WithField("pod", w.podUID).WithField("container", w.container.Name).Debugf("%s probe errored: %s", w.kind, msg)
		return true
	}

	if res == w.last {
		w.runCount++
	} else {
		w.last, w.runCount = res, 1
	}
	threshold := w.probe.FailureThreshold
	if res == Success {
		threshold = w.probe.SuccessThreshold
	}
	if threshold <= 0 {
		threshold = map[Result]int32{Success: 1, Failure: 3}[res]
	}
	if int32(w.runCount) < threshold {
		return true
	}

	w.m.mu.Lock()
	changed := w.result != res
	w.result = res
	w.m.mu.Unlock()
	if changed {
		u := Update{PodUID: w.podUID, Container: w.container.Name, ContainerID: w.containerID, Kind: w.kind, Result: res, Message: msg}
		select {
		case w.m.updates <- u:
		case <-w.stop:
			return false
		}
	}

	switch {
	case w.kind == Startup && res == Success:
		return false
	case (w.kind == Liveness || w.kind == Startup) && res == Failure:
		// Final for this container instance: the kubelet kills it.
		return false
	}
	return true
}
