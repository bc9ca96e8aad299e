package daemonset

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
)

// DefaultTolerations are added to every daemon pod, as upstream: a
// daemon keeps running on a node that is unready, unreachable, under
// pressure or cordoned.
func DefaultTolerations(spec *corev1.PodSpec) []corev1.Toleration {
	tols := []corev1.Toleration{
		{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
		{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
		{Key: corev1.TaintNodeDiskPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: corev1.TaintNodeMemoryPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: corev1.TaintNodePIDPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: corev1.TaintNodeUnschedulable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
	}
	if spec.HostNetwork {
		tols = append(tols, corev1.Toleration{Key: corev1.TaintNodeNetworkUnavailable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule})
	}
	return tols
}

// withDefaultTolerations is spec's tolerations plus the defaults it lacks.
func withDefaultTolerations(spec *corev1.PodSpec) []corev1.Toleration {
	out := append([]corev1.Toleration(nil), spec.Tolerations...)
	for _, d := range DefaultTolerations(spec) {
		have := false
		for _, t := range out {
			have = have || t.Key == d.Key && t.Effect == d.Effect && t.Operator == d.Operator
		}
		if !have {
			out = append(out, d)
		}
	}
	return out
}

// tolerates says whether tol covers taint.
func tolerates(tol corev1.Toleration, taint corev1.Taint) bool {
	if tol.Effect != "" && tol.Effect != taint.Effect {
		return false
	}
	if tol.Key == "" {
		return tol.Operator == corev1.TolerationOpExists // an empty key with Exists matches every taint
	}
	if tol.Key != taint.Key {
		return false
	}
	switch tol.Operator {
	case corev1.TolerationOpExists:
		return true
	case corev1.TolerationOpEqual, "":
		return tol.Value == taint.Value
	}
	return false
}

func untolerated(taints []corev1.Taint, tols []corev1.Toleration, effects ...corev1.TaintEffect) bool {
	for _, taint := range taints {
		relevant := false
		for _, e := range effects {
			relevant = relevant || taint.Effect == e
		}
		if !relevant {
			continue
		}
		ok := false
		for _, tol := range tols {
			ok = ok || tolerates(tol, taint)
		}
		if !ok {
			return true
		}
	}
	return false
}

// Placement says whether a daemon pod of template should be started on
// node (shouldRun) and whether one already there may stay (may): node
// selector and required affinity must match; an untolerated NoSchedule
// taint stops new pods, an untolerated NoExecute taint evicts.
func Placement(template *corev1.PodTemplateSpec, node *corev1.Node) (shouldRun, may bool) {
	pod := &corev1.Pod{Spec: template.Spec}
	if ok, err := nodeaffinity.GetRequiredNodeAffinity(pod).Match(node); err != nil || !ok {
		return false, false
	}
	tols := withDefaultTolerations(&template.Spec)
	if untolerated(node.Spec.Taints, tols, corev1.TaintEffectNoExecute) {
		return false, false
	}
	if untolerated(node.Spec.Taints, tols, corev1.TaintEffectNoSchedule) {
		return false, true
	}
	return true, true
}

// targetAffinity is a required node affinity that only node matches.
func targetAffinity(affinity *corev1.Affinity, node string) *corev1.Affinity {
	out := &corev1.Affinity{}
	if affinity != nil {
		out = affinity.DeepCopy()
	}
	if out.NodeAffinity == nil {
		out.NodeAffinity = &corev1.NodeAffinity{}
	}
	out.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{{
			Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{node}}}}},
	}
	return out
}

// TargetNode is the node a daemon pod is meant for: its nodeName, else
// the node its required affinity names.
func TargetNode(pod *corev1.Pod) string {
	if pod.Spec.NodeName != "" {
		return pod.Spec.NodeName
	}
	a := pod.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return ""
	}
	for _, term := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, f := range term.MatchFields {
			if f.Key == "metadata.name" && f.Operator == corev1.NodeSelectorOpIn && len(f.Values) == 1 {
				return f.Values[0]
			}
		}
	}
	return ""
}
