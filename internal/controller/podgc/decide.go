package podgc

import (
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
)

func terminated(pod *corev1.Pod) bool {
	return pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed
}

// overThreshold are the terminated pods to delete so that at most
// threshold are left: the oldest by creation (name breaks ties, so the
// choice is stable). Pods already being deleted count, but are not chosen
// again. threshold < 0 chooses none.
func overThreshold(pods []*corev1.Pod, threshold int) []*corev1.Pod {
	if threshold < 0 {
		return nil
	}
	var done []*corev1.Pod
	for _, p := range pods {
		if terminated(p) {
			done = append(done, p)
		}
	}
	excess := len(done) - threshold
	if excess <= 0 {
		return nil
	}
	sort.Slice(done, func(i, j int) bool {
		a, b := done[i].CreationTimestamp, done[j].CreationTimestamp
		if !a.Equal(&b) {
			return a.Before(&b)
		}
		return done[i].Namespace+"/"+done[i].Name < done[j].Namespace+"/"+done[j].Name
	})
	var out []*corev1.Pod
	for _, p := range done[:excess] {
		if p.DeletionTimestamp == nil {
			out = append(out, p)
		}
	}
	return out
}

// missingNodes updates missingSince (node name -> when first seen
// missing) from the pods' nodes and which nodes exist, and returns the
// nodes missing for at least quarantine: those whose pods may go once a
// live read confirms the node is gone. A node that reappears is
// forgotten.
func missingNodes(pods []*corev1.Pod, exists func(string) bool, missingSince map[string]time.Time, now time.Time, quarantine time.Duration) []string {
	seen := map[string]bool{}
	for _, p := range pods {
		n := p.Spec.NodeName
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		if exists(n) {
			continue
		}
		if _, ok := missingSince[n]; !ok {
			missingSince[n] = now
		}
	}
	var out []string
	for n, since := range missingSince {
		if !seen[n] || exists(n) {
			delete(missingSince, n)
			continue
		}
		if now.Sub(since) >= quarantine {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// unscheduledTerminating are pods being deleted that no node will finish.
func unscheduledTerminating(pods []*corev1.Pod) []*corev1.Pod {
	var out []*corev1.Pod
	for _, p := range pods {
		if p.DeletionTimestamp != nil && p.Spec.NodeName == "" {
			out = append(out, p)
		}
	}
	return out
}

// outOfService are pods being deleted on a node an administrator has
// declared out of service (the node.kubernetes.io/out-of-service taint)
// and that is not ready: its kubelet will not finish them, so they are
// forced, as upstream (NodeOutOfServiceVolumeDetach).
func outOfService(pods []*corev1.Pod, node func(string) *corev1.Node) []*corev1.Pod {
	var out []*corev1.Pod
	for _, p := range pods {
		if p.DeletionTimestamp == nil || p.Spec.NodeName == "" {
			continue
		}
		n := node(p.Spec.NodeName)
		if n != nil && !nodeReady(n) && hasOutOfServiceTaint(n) {
			out = append(out, p)
		}
	}
	return out
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func hasOutOfServiceTaint(n *corev1.Node) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == corev1.TaintNodeOutOfService && t.Effect == corev1.TaintEffectNoExecute {
			return true
		}
	}
	return false
}

// DisruptionTarget's reason and messages, as upstream.
const (
	reasonDeletionByPodGC = "DeletionByPodGC"
	messageNodeGone       = "PodGC: node no longer exists"
	messageOutOfService   = "PodGC: node is out-of-service"
)

// failedStatus is the status to record before deleting an unfinished pod:
// Failed, with the DisruptionTarget condition saying why. ok is false when
// the pod has finished already (nothing to record).
func failedStatus(pod *corev1.Pod, message string, now time.Time) (corev1.PodStatus, bool) {
	if terminated(pod) {
		return corev1.PodStatus{}, false
	}
	status := *pod.Status.DeepCopy()
	status.Phase = corev1.PodFailed
	cond := corev1.PodCondition{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue,
		Reason: reasonDeletionByPodGC, Message: message}
	cond.LastTransitionTime.Time = now
	replaced := false
	for i, c := range status.Conditions {
		if c.Type == corev1.DisruptionTarget {
			status.Conditions[i], replaced = cond, true
		}
	}
	if !replaced {
		status.Conditions = append(status.Conditions, cond)
	}
	return status, true
}
