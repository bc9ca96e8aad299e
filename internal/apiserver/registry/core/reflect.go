package core

import (
	"reflect"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// reflectValue is the struct a pointer points to.
func reflectValue(p interface{}) reflect.Value { return reflect.ValueOf(p).Elem() }

// jsonFieldName is a struct field's wire name, for messages and paths.
func jsonFieldName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		return f.Name
	}
	return name
}

// countSources counts the non-nil pointer fields of the struct *s (volume
// sources) and returns the wire names of those set.
func countSources(s interface{}) []string {
	v := reflectValue(s)
	var set []string
	for i := 0; i < v.NumField(); i++ {
		if f := v.Field(i); f.Kind() == reflect.Pointer && !f.IsNil() {
			set = append(set, jsonFieldName(v.Type().Field(i)))
		}
	}
	return set
}

// sortErrs orders errors collected from maps by field path, so the same
// object always gets the same message.
func sortErrs(errs field.ErrorList) {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
}
