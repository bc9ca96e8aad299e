package core

import (
	"time"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Name rules. Most kinds take an RFC 1123 subdomain; namespaces and
// services are looked up in DNS as a single label.
var (
	subdomainName = apivalidation.NameIsDNSSubdomain
	labelName     = apivalidation.NameIsDNSLabel
)

var metadataPath = field.NewPath("metadata")

// now is the clock for the few timestamps upstream's strategies set (PV
// phase transitions, pod scheduling conditions); tests replace it.
var now = func() metav1.Time { return metav1.NewTime(time.Now().Truncate(time.Second)) }

// validateMeta validates an object's metadata on create.
func validateMeta(m *metav1.ObjectMeta, namespaced bool, name apivalidation.ValidateNameFunc) field.ErrorList {
	return apivalidation.ValidateObjectMeta(m, namespaced, name, metadataPath)
}

// validateMetaUpdate validates metadata on update: the create rules still
// hold, and name, namespace, uid and creation time may not change.
func validateMetaUpdate(m, old *metav1.ObjectMeta, namespaced bool, name apivalidation.ValidateNameFunc) field.ErrorList {
	errs := apivalidation.ValidateObjectMetaUpdate(m, old, metadataPath)
	return append(errs, validateMeta(m, namespaced, name)...)
}

// immutable reports fldPath as "field is immutable" when the values differ.
func immutable(newVal, oldVal interface{}, fldPath *field.Path) field.ErrorList {
	if apiequality.Semantic.DeepEqual(newVal, oldVal) {
		return nil
	}
	return field.ErrorList{field.Invalid(fldPath, newVal, apivalidation.FieldImmutableErrorMsg)}
}

// orNone renders empty table cells the way kubectl does.
func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

func ptr[T any](v T) *T { return &v }

// oneOf reports value unless it is one of valid: Required when empty (if
// required), NotSupported with upstream's list of values otherwise.
func oneOf[T ~string](value T, valid []T, required bool, fldPath *field.Path) field.ErrorList {
	if value == "" {
		if required {
			return field.ErrorList{field.Required(fldPath, "")}
		}
		return nil
	}
	for _, v := range valid {
		if v == value {
			return nil
		}
	}
	return field.ErrorList{field.NotSupported(fldPath, value, valid)}
}
