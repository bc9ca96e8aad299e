package quota

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/selection"
)

// Quota scopes select pods only: a quota with scopes counts the pods that
// match every scope, and no other object.

// MatchesScopes tells whether quota q applies to obj: every object
// matches a quota without scopes, only a pod matching all of them one
// with scopes.
func MatchesScopes(q *corev1.ResourceQuota, obj runtime.Object) (bool, error) {
	selectors := ScopeSelectors(q)
	if len(selectors) == 0 {
		return true, nil
	}
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return false, nil
	}
	for _, s := range selectors {
		ok, err := PodMatchesScope(pod, s)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// ScopeSelectors merges spec.scopes (each meaning "Exists") and
// spec.scopeSelector; none means the quota is not scoped.
func ScopeSelectors(q *corev1.ResourceQuota) []corev1.ScopedResourceSelectorRequirement {
	var out []corev1.ScopedResourceSelectorRequirement
	for _, s := range q.Spec.Scopes {
		out = append(out, corev1.ScopedResourceSelectorRequirement{ScopeName: s, Operator: corev1.ScopeSelectorOpExists})
	}
	if q.Spec.ScopeSelector != nil {
		out = append(out, q.Spec.ScopeSelector.MatchExpressions...)
	}
	return out
}

// PodMatchesScope tells whether pod is in one scope. Scopes this version
// does not know match nothing.
func PodMatchesScope(pod *corev1.Pod, s corev1.ScopedResourceSelectorRequirement) (bool, error) {
	switch s.ScopeName {
	case corev1.ResourceQuotaScopeTerminating:
		return isTerminating(pod), nil
	case corev1.ResourceQuotaScopeNotTerminating:
		return !isTerminating(pod), nil
	case corev1.ResourceQuotaScopeBestEffort:
		return isBestEffort(pod), nil
	case corev1.ResourceQuotaScopeNotBestEffort:
		return !isBestEffort(pod), nil
	case corev1.ResourceQuotaScopeCrossNamespacePodAffinity:
		return usesCrossNamespaceAffinity(pod), nil
	case corev1.ResourceQuotaScopePriorityClass:
		return matchesPriorityClass(pod, s)
	}
	return false, nil
}

// matchesPriorityClass matches the pod's class name, as a one-label set,
// against the requirement: Exists means "has a class", In/NotIn compare
// its name.
func matchesPriorityClass(pod *corev1.Pod, s corev1.ScopedResourceSelectorRequirement) (bool, error) {
	var op selection.Operator
	switch s.Operator {
	case corev1.ScopeSelectorOpIn:
		op = selection.In
	case corev1.ScopeSelectorOpNotIn:
		op = selection.NotIn
	case corev1.ScopeSelectorOpExists:
		op = selection.Exists
	case corev1.ScopeSelectorOpDoesNotExist:
		op = selection.DoesNotExist
	default:
		return false, fmt.Errorf("%q is not a valid scope selector operator", s.Operator)
	}
	req, err := labels.NewRequirement(string(s.ScopeName), op, s.Values)
	if err != nil {
		return false, err
	}
	set := labels.Set{}
	if pod.Spec.PriorityClassName != "" {
		set[string(s.ScopeName)] = pod.Spec.PriorityClassName
	}
	return req.Matches(set), nil
}

// isTerminating: the pod has an active deadline, so it will end.
func isTerminating(pod *corev1.Pod) bool {
	return pod.Spec.ActiveDeadlineSeconds != nil && *pod.Spec.ActiveDeadlineSeconds >= 0
}

// isBestEffort: the pod's QoS class is BestEffort, as its status says or
// else as the API server computes it: no positive cpu or memory request
// or limit, at pod level when the pod sets resources there, otherwise in
// its init and app containers. Ephemeral containers have no resources
// and do not count.
func isBestEffort(pod *corev1.Pod) bool {
	if c := pod.Status.QOSClass; c != "" {
		return c == corev1.PodQOSBestEffort
	}
	if r := pod.Spec.Resources; r != nil && (len(r.Requests) > 0 || len(r.Limits) > 0) {
		return !asksForCPUOrMemory(r.Requests, r.Limits)
	}
	for _, list := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for _, c := range list {
			if asksForCPUOrMemory(c.Resources.Requests, c.Resources.Limits) {
				return false
			}
		}
	}
	return true
}

func asksForCPUOrMemory(lists ...corev1.ResourceList) bool {
	for _, l := range lists {
		for _, n := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if q, ok := l[n]; ok && q.Cmp(resource.Quantity{}) > 0 {
				return true
			}
		}
	}
	return false
}

// usesCrossNamespaceAffinity: some pod (anti-)affinity term, required or
// preferred, looks at other namespaces.
func usesCrossNamespaceAffinity(pod *corev1.Pod) bool {
	a := pod.Spec.Affinity
	if a == nil {
		return false
	}
	var terms []corev1.PodAffinityTerm
	if a.PodAffinity != nil {
		terms = append(terms, a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution...)
		for _, w := range a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
			terms = append(terms, w.PodAffinityTerm)
		}
	}
	if a.PodAntiAffinity != nil {
		terms = append(terms, a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution...)
		for _, w := range a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
			terms = append(terms, w.PodAffinityTerm)
		}
	}
	for _, t := range terms {
		if len(t.Namespaces) > 0 || t.NamespaceSelector != nil {
			return true
		}
	}
	return false
}
