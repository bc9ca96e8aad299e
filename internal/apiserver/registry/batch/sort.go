package batch

import (
	"sort"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// sortByField orders errors by field path, so lists built while ranging
// over maps read the same on every request.
func sortByField(errs field.ErrorList) field.ErrorList {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
	return errs
}

// sortedKeys gives validation a stable error order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
