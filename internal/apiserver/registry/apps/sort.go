package apps

import (
	"sort"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// sortedKeys gives validation a stable error order, so clients and tests
// see the same list every time.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// sortErrors orders errors by field path, for lists built from maps.
func sortErrors(errs field.ErrorList) field.ErrorList {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
	return errs
}
