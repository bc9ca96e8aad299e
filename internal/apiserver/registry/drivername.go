package registry

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// maxDriverNameLength is upstream's bound on CSI and DRA driver names,
// which end up in labels, socket paths, finalizers and pool names.
const maxDriverNameLength = 63

// ValidateDriverName checks a storage (CSI) or device (DRA) driver name, a
// field rule two groups share: a DNS subdomain, compared
// case-insensitively, of at most 63 characters.
func ValidateDriverName(name string, p *field.Path) field.ErrorList {
	if name == "" {
		return field.ErrorList{field.Required(p, "")}
	}
	var errs field.ErrorList
	if len(name) > maxDriverNameLength {
		errs = append(errs, field.TooLong(p, "", maxDriverNameLength))
	}
	for _, msg := range validation.IsDNS1123Subdomain(strings.ToLower(name)) {
		errs = append(errs, field.Invalid(p, name, msg))
	}
	return errs
}
