package job

import (
	"fmt"
	"slices"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// MatchFailurePolicy finds the first podFailurePolicy rule a failed pod
// matches; nil when there is no policy or no rule matches (the failure
// then counts towards backoffLimit). The message says why, for the
// FailJob condition.
func MatchFailurePolicy(policy *batchv1.PodFailurePolicy, pod *corev1.Pod) (*batchv1.PodFailurePolicyAction, string) {
	if policy == nil {
		return nil, ""
	}
	for i, rule := range policy.Rules {
		action := rule.Action
		if r := rule.OnExitCodes; r != nil {
			for _, cs := range append(append([]corev1.ContainerStatus(nil), pod.Status.InitContainerStatuses...), pod.Status.ContainerStatuses...) {
				term := cs.State.Terminated
				if term == nil || term.ExitCode == 0 { // successful containers are not considered
					continue
				}
				if r.ContainerName != nil && *r.ContainerName != cs.Name {
					continue
				}
				in := slices.Contains(r.Values, term.ExitCode)
				if in == (r.Operator == batchv1.PodFailurePolicyOnExitCodesOpIn) {
					return &action, fmt.Sprintf("Container %s for pod %s/%s failed with exit code %d matching %s rule at index %d",
						cs.Name, pod.Namespace, pod.Name, term.ExitCode, action, i)
				}
			}
		}
		for _, pattern := range rule.OnPodConditions {
			for _, c := range pod.Status.Conditions {
				status := pattern.Status
				if status == "" {
					status = corev1.ConditionTrue
				}
				if c.Type == pattern.Type && c.Status == status {
					return &action, fmt.Sprintf("Pod %s/%s has condition %s matching %s rule at index %d",
						pod.Namespace, pod.Name, c.Type, action, i)
				}
			}
		}
	}
	return nil, ""
}
