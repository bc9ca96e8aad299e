package scheduler

import (
	"context"
	"encoding/json"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// setUnschedulableCondition records PodScheduled=False with reason and
// message on the pod, unless it says so already (so a pod retried every
// few seconds does not rewrite its status each time).
func (s *Scheduler) setUnschedulableCondition(ctx context.Context, pod *v1.Pod, reason, msg string) {
	for _, c := range pod.Status.Conditions {
		if c.Type == v1.PodScheduled && c.Status == v1.ConditionFalse && c.Reason == reason && c.Message == msg {
			return
		}
	}
	patch, err := json.Marshal(map[string]any{
		"status": map[string]any{
			"conditions": []v1.PodCondition{{
				Type: v1.PodScheduled, Status: v1.ConditionFalse, Reason: reason, Message: msg,
				LastTransitionTime: metav1.NewTime(time.Now()),
			}},
		},
	})
	if err != nil {
		return
	}
	_, err = s.client.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{}, "status")
	if err != nil && !apierrors.IsNotFound(err) && ctx.Err() == nil {
		s.log.WithField("pod", pod.Namespace+"/"+pod.Name).Warnf("setting PodScheduled=False: %v", err)
	}
}
