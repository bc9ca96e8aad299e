package scheduler

import (
	"context"
	"encoding/json"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
	"github.com/hanok-dev/hanok/internal/scheduler/plugins/defaultpreemption"
	"github.com/hanok-dev/hanok/internal/scheduler/queue"
)

// preempt runs after a pod fit no node: it picks victims (package
// defaultpreemption decides), then evicts them and nominates the node in
// the background. It returns preemption's account for the
// FailedScheduling message ("" when it found a node).
func (s *Scheduler) preempt(ctx context.Context, prof *framework.Profile, state *framework.CycleState, qp *queue.QueuedPod, fitErr *framework.FitError) string {
	pdbs, err := s.listers.pdbs.Lister().List(labels.Everything())
	if err != nil {
		pdbs = nil
	}
	r := defaultpreemption.Preempt(ctx, prof, state.Snapshot, qp.Pod, fitErr.Diagnosis.NodeToStatus, pdbs)
	if r.Candidate == nil {
		return r.Message
	}
	nominated := qp.Pod.DeepCopy()
	nominated.Status.NominatedNodeName = r.Candidate.Node
	s.queue.UpdateInFlight(nominated)
	s.nominator.set(nominated, r.Candidate.Node)
	log := s.log.WithField("pod", queue.Key(qp.Pod))
	log.Infof("preempting %d pod(s) on %s", len(r.Candidate.Victims), r.Candidate.Node)
	recorder := s.recorders[prof.SchedulerName]
	pod := qp.Pod
	s.binds.Add(1)
	go func() {
		defer s.binds.Done()
		for _, victim := range r.Candidate.Victims {
			s.markDisruption(ctx, prof, victim)
			err := s.client.CoreV1().Pods(victim.Namespace).Delete(ctx, victim.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &victim.UID}})
			if err != nil && !apierrors.IsNotFound(err) {
				log.Warnf("preempting %s: %v", queue.Key(victim), err)
				continue
			}
			recorder.Eventf(victim, v1.EventTypeNormal, "Preempted", "Preempted by pod %v on node %v", pod.UID, r.Candidate.Node)
		}
		patch, _ := json.Marshal(map[string]any{"status": map[string]any{"nominatedNodeName": r.Candidate.Node}})
		if _, err := s.client.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{}, "status"); err != nil && !apierrors.IsNotFound(err) {
			log.Warnf("nominating %s: %v", r.Candidate.Node, err)
		}
	}()
	return ""
}

// markDisruption sets the DisruptionTarget condition on a victim before
// it is deleted, so its owner can tell preemption from a crash.
func (s *Scheduler) markDisruption(ctx context.Context, prof *framework.Profile, victim *v1.Pod) {
	patch, _ := json.Marshal(map[string]any{"status": map[string]any{"conditions": []v1.PodCondition{{
		Type: v1.DisruptionTarget, Status: v1.ConditionTrue, Reason: v1.PodReasonPreemptionByScheduler,
		Message:            prof.SchedulerName + ": preempting to accommodate a higher priority pod",
		LastTransitionTime: metav1.NewTime(time.Now()),
	}}}})
	_, _ = s.client.CoreV1().Pods(victim.Namespace).Patch(ctx, victim.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{}, "status")
}
