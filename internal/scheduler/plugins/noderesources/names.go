package noderesources

import (
	"sort"

	v1 "k8s.io/api/core/v1"
)

// sortedNames makes the reasons' order stable.
func sortedNames(m map[v1.ResourceName]int64) []v1.ResourceName {
	names := make([]v1.ResourceName, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	return names
}
