package scheduler

import (
	"context"
	"fmt"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
	"github.com/hanok-dev/hanok/internal/scheduler/queue"
)

// bind runs PreBind and posts the Binding for assumed (the pod with its
// chosen node). On failure the pod is forgotten from the cache and
// retried after backoff; a pod deleted or bound by someone else meanwhile
// is dropped.
func (s *Scheduler) bind(ctx context.Context, prof *framework.Profile, state *framework.CycleState, qp *queue.QueuedPod, assumed *v1.Pod) {
	var err error
	if st := prof.RunPreBind(ctx, state, assumed, assumed.Spec.NodeName); !st.IsSuccess() {
		err = fmt.Errorf("running PreBind plugin %q: %s", st.Plugin(), st.Message())
	}
	if err == nil {
		err = s.client.CoreV1().Pods(assumed.Namespace).Bind(ctx, &v1.Binding{
			ObjectMeta: metav1.ObjectMeta{Namespace: assumed.Namespace, Name: assumed.Name, UID: assumed.UID},
			Target:     v1.ObjectReference{Kind: "Node", Name: assumed.Spec.NodeName},
		}, metav1.CreateOptions{})
	}
	if err == nil {
		s.recorders[prof.SchedulerName].Eventf(assumed, v1.EventTypeNormal, "Scheduled",
			"Successfully assigned %v/%v to %v", assumed.Namespace, assumed.Name, assumed.Spec.NodeName)
		s.queue.Done(qp)
		return
	}
	s.cache.ForgetPod(assumed)
	if apierrors.IsNotFound(err) || ctx.Err() != nil {
		// Gone; its deletion reaches the queue and cache through the informer.
		s.queue.Done(qp)
		return
	}
	s.log.WithField("pod", queue.Key(assumed)).Warnf("binding to %s: %v", assumed.Spec.NodeName, err)
	s.failed(ctx, prof, qp, fmt.Errorf("binding rejected: %w", err))
}
