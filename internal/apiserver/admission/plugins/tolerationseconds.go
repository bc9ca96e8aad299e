package plugins

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

// DefaultTolerationSeconds is upstream's plugin of that name: every pod
// tolerates a node being not-ready or unreachable for five minutes before
// the taint manager evicts it, so a node's brief outage does not
// reschedule everything on it, and a long one does. A pod that already
// tolerates either taint (or everything) keeps its own choice.
type DefaultTolerationSeconds struct {
	// NotReadySeconds and UnreachableSeconds override upstream's 300.
	NotReadySeconds    int64
	UnreachableSeconds int64
}

// defaultTolerationSeconds is upstream's --default-not-ready-toleration-seconds
// and --default-unreachable-toleration-seconds.
const defaultTolerationSeconds = 300

// Admit implements admission.Mutator.
func (d *DefaultTolerationSeconds) Admit(_ context.Context, a *admission.Attributes) error {
	if a.Resource.GroupResource() != podsResource || a.Subresource != "" ||
		(a.Operation != admission.Create && a.Operation != admission.Update) {
		return nil
	}
	pod, ok := a.Object.(*corev1.Pod)
	if !ok {
		return nil
	}
	notReady, unreachable := false, false
	for _, t := range pod.Spec.Tolerations {
		noExecute := t.Effect == corev1.TaintEffectNoExecute || t.Effect == ""
		if !noExecute {
			continue
		}
		// An empty key with Exists tolerates every taint.
		notReady = notReady || t.Key == corev1.TaintNodeNotReady || t.Key == ""
		unreachable = unreachable || t.Key == corev1.TaintNodeUnreachable || t.Key == ""
	}
	if !notReady {
		pod.Spec.Tolerations = append(pod.Spec.Tolerations, noExecuteToleration(corev1.TaintNodeNotReady, orDefault(d.NotReadySeconds)))
	}
	if !unreachable {
		pod.Spec.Tolerations = append(pod.Spec.Tolerations, noExecuteToleration(corev1.TaintNodeUnreachable, orDefault(d.UnreachableSeconds)))
	}
	return nil
}

func orDefault(seconds int64) int64 {
	if seconds == 0 {
		return defaultTolerationSeconds
	}
	return seconds
}

func noExecuteToleration(key string, seconds int64) corev1.Toleration {
	return corev1.Toleration{Key: key, Operator: corev1.TolerationOpExists,
		Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &seconds}
}
