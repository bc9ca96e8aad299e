package queue

import (
	"context"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/sets"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
)

// Upstream's defaults.
const (
	DefaultInitialBackoff      = 1 * time.Second
	DefaultMaxBackoff          = 10 * time.Second
	DefaultMaxInUnschedulable  = 5 * time.Minute
	unschedulableFlushInterval = 30 * time.Second
	backoffFlushInterval       = 100 * time.Millisecond
)

// QueuedPod is a pod with its scheduling history.
type QueuedPod struct {
	Pod *v1.Pod
	// Attempts counts scheduling attempts (Pop increments it).
	Attempts int
	// Added is when the pod last entered the queue: order within a
	// priority, and the start of its time to bind.
	Added time.Time
	// FirstAdded is when the pod was first seen.
	FirstAdded time.Time
	// UnschedulablePlugins rejected the pod last time; empty means any
	// event may help.
	UnschedulablePlugins sets.Set[string]
	// Cycle is the scheduling cycle in which it was popped.
	Cycle int64

	key          string
	lastFailure  time.Time
	unschedSince time.Time
}

// Key is namespace/name.
func Key(pod *v1.Pod) string { return pod.Namespace + "/" + pod.Name }

// Queue is the scheduling queue; safe for concurrent use.
type Queue struct {
	mu            sync.Mutex
	cond          *sync.Cond
	active        *podHeap
	backoff       *podHeap
	unschedulable map[string]*QueuedPod
	// inFlight are popped pods being scheduled, with their newest object
	// (nil once deleted).
	inFlight map[string]*v1.Pod

	cycle int64
	// lastEvent is the scheduling cycle at which each event last came:
	// a pod popped at or before it missed the event while in flight.
	lastEvent map[framework.ClusterEvent]int64
	closed    bool

	now                        func() time.Time
	initialBackoff, maxBackoff time.Duration
	maxInUnschedulable         time.Duration
	// interest maps an event to the plugins it may help; a pod moves on
	// an event only if one of its UnschedulablePlugins is interested.
	interest map[framework.ClusterEvent]sets.Set[string]
}

// Options tune a Queue; zero values take upstream's defaults.
type Options struct {
	Now                        func() time.Time
	InitialBackoff, MaxBackoff time.Duration
	MaxInUnschedulable         time.Duration
	// Interest: event -> plugins that care (see framework.EnqueueExtensions).
	Interest map[framework.ClusterEvent]sets.Set[string]
}

// New makes an empty queue.
func New(o Options) *Queue {
	q := &Queue{
		unschedulable:      map[string]*QueuedPod{},
		inFlight:           map[string]*v1.Pod{},
		lastEvent:          map[framework.ClusterEvent]int64{},
		now:                o.Now,
		initialBackoff:     o.InitialBackoff,
		maxBackoff:         o.MaxBackoff,
		maxInUnschedulable: o.MaxInUnschedulable,
		interest:           o.Interest,
	}
	if q.now == nil {
		q.now = time.Now
	}
	if q.initialBackoff == 0 {
		q.initialBackoff = DefaultInitialBackoff
	}
	if q.maxBackoff == 0 {
		q.maxBackoff = DefaultMaxBackoff
	}
	if q.maxInUnschedulable == 0 {
		q.maxInUnschedulable = DefaultMaxInUnschedulable
	}
	q.cond = sync.NewCond(&q.mu)
	q.active = newPodHeap(func(a, b *QueuedPod) bool {
		pa, pb := corev1helpers.PodPriority(a.Pod), corev1helpers.PodPriority(b.Pod)
		if pa != pb {
			return pa > pb
		}
		return a.Added.Before(b.Added)
	})
	q.backoff = newPodHeap(func(a, b *QueuedPod) bool { return q.backoffExpiry(a).Before(q.backoffExpiry(b)) })
	return q
}

// backoffExpiry is when qp's backoff ends: initial doubled per attempt
// beyond the first, capped.
func (q *Queue) backoffExpiry(qp *QueuedPod) time.Time {
	d := q.initialBackoff
	for i := 1; i < qp.Attempts && d < q.maxBackoff; i++ {
		d *= 2
	}
	if d > q.maxBackoff {
		d = q.maxBackoff
	}
	return qp.lastFailure.Add(d)
}

func (q *Queue) backingOff(qp *QueuedPod) bool {
	return !qp.lastFailure.IsZero() && q.backoffExpiry(qp).After(q.now())
}

// Add enqueues a new pending pod (or refreshes one already queued).
func (q *Queue) Add(pod *v1.Pod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.addLocked(pod)
}

func (q *Queue) addLocked(pod *v1.Pod) {
	key := Key(pod)
	if _, ok := q.inFlight[key]; ok {
		q.inFlight[key] = pod
		return
	}
	if qp := q.find(key); qp != nil {
		qp.Pod = pod
		return
	}
	now := q.now()
	q.active.add(&QueuedPod{Pod: pod, Added: now, FirstAdded: now, key: key})
	q.cond.Broadcast()
}

func (q *Queue) find(key string) *QueuedPod {
	if qp := q.active.get(key); qp != nil {
		return qp
	}
	if qp := q.backoff.get(key); qp != nil {
		return qp
	}
	return q.unschedulable[key]
}

// Update takes a pending pod's new object. A pod waiting as unschedulable
// whose spec or labels changed may fit now, so it moves to active (or
// backoff).
func (q *Queue) Update(old, pod *v1.Pod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	key := Key(pod)
	if _, ok := q.inFlight[key]; ok {
		q.inFlight[key] = pod
		return
	}
	if qp := q.active.get(key); qp != nil {
		qp.Pod = pod
		q.active.add(qp) // priority may have changed
		return
	}
	if qp := q.backoff.get(key); qp != nil {
		qp.Pod = pod
		return
	}
	if qp := q.unschedulable[key]; qp != nil {
		qp.Pod = pod
		if old == nil || !equality.Semantic.DeepEqual(old.Spec, pod.Spec) || !equality.Semantic.DeepEqual(old.Labels, pod.Labels) {
			delete(q.unschedulable, key)
			q.requeueLocked(qp)
		}
		return
	}
	q.addLocked(pod)
}

// Delete forgets pod wherever it is.
func (q *Queue) Delete(pod *v1.Pod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	key := Key(pod)
	if _, ok := q.inFlight[key]; ok {
		q.inFlight[key] = nil
	}
	q.active.remove(key)
	q.backoff.remove(key)
	delete(q.unschedulable, key)
}

// Pop blocks until a pod is active; nil when the queue is closed or ctx
// has ended (Pop's caller must arrange for Wake to be called then, e.g.
// with context.AfterFunc).
func (q *Queue) Pop(ctx context.Context) *QueuedPod {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.active.Len() == 0 && !q.closed && ctx.Err() == nil {
		q.cond.Wait()
	}
	if q.closed || ctx.Err() != nil {
		return nil
	}
	qp := q.active.pop()
	q.cycle++
	qp.Cycle = q.cycle
	qp.Attempts++
	q.inFlight[qp.key] = qp.Pod
	return qp
}

// UpdateInFlight replaces the object of a pod being scheduled (with its
// nomination, say) so it goes back to the queue with it.
func (q *Queue) UpdateInFlight(pod *v1.Pod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if p, ok := q.inFlight[Key(pod)]; ok && p != nil {
		q.inFlight[Key(pod)] = pod
	}
}

// Done ends qp's cycle after it was bound (or given up on).
func (q *Queue) Done(qp *QueuedPod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.inFlight, qp.key)
}

// AddUnschedulable puts back a pod no node fit, rejected by plugins. If
// a cluster event came while it was being scheduled, it goes to backoff
// (the event may have helped); otherwise it waits for one.
func (q *Queue) AddUnschedulable(qp *QueuedPod, plugins sets.Set[string]) {
	q.mu.Lock()
	defer q.mu.Unlock()
	pod, ok := q.takeInFlight(qp)
	if !ok {
		return
	}
	qp.Pod = pod
	qp.UnschedulablePlugins = plugins
	qp.lastFailure = q.now()
	for ev, cycle := range q.lastEvent {
		if cycle >= qp.Cycle && q.interested(ev, qp) {
			q.backoff.add(qp) // the event may have helped: retry soon
			return
		}
	}
	qp.unschedSince = q.now()
	q.unschedulable[qp.key] = qp
}

// AddBackoff puts back a pod whose attempt failed for a reason other
// than fit (an API error while binding): it is retried after backoff.
func (q *Queue) AddBackoff(qp *QueuedPod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	pod, ok := q.takeInFlight(qp)
	if !ok {
		return
	}
	qp.Pod = pod
	qp.UnschedulablePlugins = nil
	qp.lastFailure = q.now()
	q.backoff.add(qp)
}

// takeInFlight ends qp's flight and returns its newest object; false if
// the pod was deleted meanwhile or is queued again already.
func (q *Queue) takeInFlight(qp *QueuedPod) (*v1.Pod, bool) {
	pod, ok := q.inFlight[qp.key]
	delete(q.inFlight, qp.key)
	if !ok {
		return qp.Pod, q.find(qp.key) == nil
	}
	if pod == nil {
		return nil, false
	}
	return pod, q.find(qp.key) == nil
}

// MoveOnEvent moves the unschedulable pods that event may help to active
// (or backoff while their backoff lasts).
func (q *Queue) MoveOnEvent(event framework.ClusterEvent) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for key, qp := range q.unschedulable {
		if !q.interested(event, qp) {
			continue
		}
		delete(q.unschedulable, key)
		q.requeueLocked(qp)
	}
	if len(q.inFlight) > 0 {
		q.lastEvent[event] = q.cycle
	}
}

func (q *Queue) interested(event framework.ClusterEvent, qp *QueuedPod) bool {
	if event == framework.UnschedulableTimeout || len(qp.UnschedulablePlugins) == 0 || q.interest == nil {
		return true
	}
	return q.interest[event].HasAny(qp.UnschedulablePlugins.UnsortedList()...)
}

func (q *Queue) requeueLocked(qp *QueuedPod) {
	if q.backingOff(qp) {
		q.backoff.add(qp)
		return
	}
	qp.Added = q.now()
	q.active.add(qp)
	q.cond.Broadcast()
}

// FlushBackoff moves pods whose backoff ended to active. Run calls it
// periodically; tests call it directly.
func (q *Queue) FlushBackoff() {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.now()
	for qp := q.backoff.peek(); qp != nil && !q.backoffExpiry(qp).After(now); qp = q.backoff.peek() {
		q.backoff.pop()
		qp.Added = now
		q.active.add(qp)
		q.cond.Broadcast()
	}
}

// FlushUnschedulable moves pods unschedulable for longer than the limit
// back to active (or backoff), as a safety net for events nobody
// registered for.
func (q *Queue) FlushUnschedulable() {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.now()
	for key, qp := range q.unschedulable {
		if now.Sub(qp.unschedSince) > q.maxInUnschedulable {
			delete(q.unschedulable, key)
			q.requeueLocked(qp)
		}
	}
}

// Run flushes periodically until ctx ends, then closes the queue.
func (q *Queue) Run(ctx context.Context) {
	backoffTick := time.NewTicker(backoffFlushInterval)
	defer backoffTick.Stop()
	unschedTick := time.NewTicker(unschedulableFlushInterval)
	defer unschedTick.Stop()
	for {
		select {
		case <-ctx.Done():
			q.Close()
			return
		case <-backoffTick.C:
			q.FlushBackoff()
		case <-unschedTick.C:
			q.FlushUnschedulable()
		}
	}
}

// Wake makes blocked Pop calls re-check their context.
func (q *Queue) Wake() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.cond.Broadcast()
}

// Close wakes Pop callers with nil.
func (q *Queue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.cond.Broadcast()
}

// Lengths reports active, backoff and unschedulable counts.
func (q *Queue) Lengths() (active, backoff, unschedulable int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.active.Len(), q.backoff.Len(), len(q.unschedulable)
}
