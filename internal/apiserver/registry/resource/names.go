package resource

import (
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// validateName checks a required reference by name against rule (a DNS
// subdomain or label check).
func validateName(name string, rule apivalidation.ValidateNameFunc, p *field.Path) field.ErrorList {
	if name == "" {
		return field.ErrorList{field.Required(p, "")}
	}
	var errs field.ErrorList
	for _, msg := range rule(name, false) {
		errs = append(errs, field.Invalid(p, name, msg))
	}
	return errs
}
