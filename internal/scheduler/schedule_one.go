package scheduler

import (
	"context"
	"errors"

	v1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
	"github.com/hanok-dev/hanok/internal/scheduler/queue"
)

// scheduleOne takes one pod through a scheduling cycle: snapshot, filter,
// score, assume; the binding continues in the background.
func (s *Scheduler) scheduleOne(ctx context.Context) {
	qp := s.queue.Pop(ctx)
	if qp == nil {
		return
	}
	pod := qp.Pod
	prof, ok := s.profiles[schedulerName(pod)]
	if !ok || pod.DeletionTimestamp != nil || s.cache.IsAssumedOrBound(pod.UID) {
		s.queue.Done(qp)
		return
	}
	snapshot := s.cache.Snapshot()
	snapshot.NamespaceLabels = s.namespaceLabels
	snapshot.Nominated = s.nominator.snapshot()
	state := framework.NewCycleState(snapshot)

	result, err := s.algo.schedule(ctx, prof, state, pod, s.nextStart)
	if err != nil {
		var fitErr *framework.FitError
		if errors.As(err, &fitErr) {
			fitErr.Diagnosis.PostFilterMsg = s.preempt(ctx, prof, state, qp, fitErr)
		}
		s.failed(ctx, prof, qp, err)
		return
	}
	if n := len(snapshot.Nodes); n > 0 {
		s.nextStart = (s.nextStart + result.processed) % n
	}
	assumed := pod.DeepCopy()
	assumed.Spec.NodeName = result.node
	if err := s.cache.AssumePod(assumed); err != nil {
		s.failed(ctx, prof, qp, err)
		return
	}
	// At most maxBindsInFlight bindings at once: beyond that the API
	// server is the bottleneck anyway, and client-go would open more
	// connections than HTTP/2's stream limit allows on one.
	s.bindSlots <- struct{}{}
	s.binds.Add(1)
	go func() {
		defer func() { <-s.bindSlots; s.binds.Done() }()
		s.bind(ctx, prof, state, qp, assumed)
	}()
}

// failed records why qp did not schedule and puts it back in the queue:
// unschedulable (wait for an event) for a FitError, backoff otherwise.
func (s *Scheduler) failed(ctx context.Context, prof *framework.Profile, qp *queue.QueuedPod, err error) {
	var fitErr *framework.FitError
	reason := "SchedulerError"
	if errors.As(err, &fitErr) {
		reason = v1.PodReasonUnschedulable
		s.queue.AddUnschedulable(qp, fitErr.Diagnosis.UnschedulablePlugins)
	} else if errors.Is(err, errNoNodes) {
		reason = v1.PodReasonUnschedulable
		s.queue.AddUnschedulable(qp, nil)
	} else {
		s.queue.AddBackoff(qp)
	}
	msg := err.Error()
	s.log.WithField("pod", queue.Key(qp.Pod)).Debugf("unschedulable: %s", msg)
	s.recorders[prof.SchedulerName].Eventf(qp.Pod, v1.EventTypeWarning, "FailedScheduling", "%s", msg)
	s.binds.Add(1)
	go func() {
		defer s.binds.Done()
		s.setUnschedulableCondition(ctx, qp.Pod, reason, msg)
	}()
}
