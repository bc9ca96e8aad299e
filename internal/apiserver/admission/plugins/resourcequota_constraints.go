package plugins

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	quotausage "github.com/hanok-dev/hanok/internal/apiserver/quota"
)

// podConstraints is upstream's oldest quota rule, which only admission
// enforces: when a quota limits cpu or memory, every container must state
// a request (or limit) for it, or the quota could not account for it.
func podConstraints(pod *corev1.Pod, limited []corev1.ResourceName) error {
	var required []corev1.ResourceName
	for _, n := range limited {
		switch n {
		case corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceRequestsCPU,
			corev1.ResourceRequestsMemory, corev1.ResourceLimitsCPU, corev1.ResourceLimitsMemory:
			required = append(required, n)
		}
	}
	if len(required) == 0 {
		return nil
	}
	missing := map[corev1.ResourceName][]string{}
	check := func(c *corev1.Container) {
		have := quotausage.ComputeUsage(c.Resources.Requests, c.Resources.Limits)
		for _, n := range required {
			if _, ok := have[n]; !ok && !slices.Contains(missing[n], c.Name) {
				missing[n] = append(missing[n], c.Name)
			}
		}
	}
	for i := range pod.Spec.InitContainers {
		check(&pod.Spec.InitContainers[i])
	}
	for i := range pod.Spec.Containers {
		check(&pod.Spec.Containers[i])
	}
	if len(missing) == 0 {
		return nil
	}
	var parts []string
	for _, n := range slices.Sorted(maps.Keys(missing)) {
		names := missing[n]
		slices.Sort(names)
		parts = append(parts, fmt.Sprintf("%s for: %s", n, strings.Join(names, ",")))
	}
	return fmt.Errorf("must specify %s", strings.Join(parts, "; "))
}
