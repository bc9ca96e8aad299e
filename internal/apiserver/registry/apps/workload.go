package apps

import (
	"strconv"
	"strings"

	v1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// SelectorMismatch is upstream's detail for a template whose labels its
// owner's selector does not match; clients and tests grep for it.
const SelectorMismatch = "`selector` does not match template `labels`"

// SelectorOptions returns the label-selector validation options for a new
// selector given the stored one (nil on create): a selector that already held
// invalid label values may keep them, so old objects stay updatable.
func SelectorOptions(old *metav1.LabelSelector) metav1validation.LabelSelectorValidationOptions {
	return metav1validation.LabelSelectorValidationOptions{
		AllowInvalidLabelValueInSelector: metav1validation.LabelSelectorHasInvalidLabelValue(old),
	}
}

// ValidateWorkloadSelector checks a workload's required, non-empty selector
// (kind names the workload in the "empty selector" message, as upstream).
func ValidateWorkloadSelector(sel *metav1.LabelSelector, opts metav1validation.LabelSelectorValidationOptions, kind string, fldPath *field.Path) field.ErrorList {
	if sel == nil {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	errs := metav1validation.ValidateLabelSelector(sel, opts, fldPath)
	if len(sel.MatchLabels)+len(sel.MatchExpressions) == 0 {
		// An empty selector would match every pod in the namespace and the
		// controller would fight every other controller over them.
		errs = append(errs, field.Invalid(fldPath, sel, "empty selector is invalid for "+kind))
	}
	return errs
}

// ValidateSelectorMatchesTemplate refuses a template whose labels the
// selector does not select: the controller would create pods it can never
// find again and loop forever. templatePath is the template's path; the error
// lands on its metadata.labels. A nil or unparsable selector is reported by
// the selector's own validation, so it is skipped here; an empty one selects
// everything and so matches any template.
func ValidateSelectorMatchesTemplate(sel *metav1.LabelSelector, template *v1.PodTemplateSpec, templatePath *field.Path) field.ErrorList {
	if sel == nil {
		return nil
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil || s.Empty() || s.Matches(labels.Set(template.Labels)) {
		return nil
	}
	return field.ErrorList{field.Invalid(templatePath.Child("metadata", "labels"), template.Labels, SelectorMismatch)}
}

// validateAlwaysRestart holds the rules every long-running workload template
// shares: pods are restarted forever and never time out.
func validateAlwaysRestart(spec *v1.PodSpec, specPath *field.Path, kind string, deadlineForbidden bool) field.ErrorList {
	var errs field.ErrorList
	if spec.RestartPolicy != v1.RestartPolicyAlways {
		errs = append(errs, field.NotSupported(specPath.Child("restartPolicy"), spec.RestartPolicy, []v1.RestartPolicy{v1.RestartPolicyAlways}))
	}
	if spec.ActiveDeadlineSeconds != nil {
		msg := "activeDeadlineSeconds in " + kind + " is not Supported"
		if deadlineForbidden {
			errs = append(errs, field.Forbidden(specPath.Child("activeDeadlineSeconds"), msg))
		} else {
			errs = append(errs, field.Invalid(specPath.Child("activeDeadlineSeconds"), spec.ActiveDeadlineSeconds, msg))
		}
	}
	return errs
}

// percentValue returns the number in a valid "NN%" string.
func percentValue(v intstr.IntOrString) (int, bool) {
	if v.Type != intstr.String || len(validation.IsValidPercent(v.StrVal)) != 0 {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSuffix(v.StrVal, "%"))
	return n, err == nil
}

// intOrPercentValue is the raw number of v, percent or not; only its
// zero-ness matters to callers (e.g. "maxSurge and maxUnavailable both 0").
func intOrPercentValue(v *intstr.IntOrString) int {
	if v == nil {
		return 0
	}
	if n, ok := percentValue(*v); ok {
		return n
	}
	return v.IntValue()
}

// ValidatePositiveIntOrPercent accepts a non-negative integer or a "NN%"
// string (rolling-update budgets and disruption budgets).
func ValidatePositiveIntOrPercent(v intstr.IntOrString, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch v.Type {
	case intstr.String:
		for _, msg := range validation.IsValidPercent(v.StrVal) {
			errs = append(errs, field.Invalid(fldPath, v, msg))
		}
	case intstr.Int:
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(v.IntValue()), fldPath)...)
	default:
		errs = append(errs, field.Invalid(fldPath, v, "must be an integer or percentage (e.g '5%')"))
	}
	return errs
}

// IsNotMoreThan100Percent refuses percentages above 100%.
func IsNotMoreThan100Percent(v intstr.IntOrString, fldPath *field.Path) field.ErrorList {
	n, ok := percentValue(v)
	if !ok || n <= 100 {
		return nil
	}
	return field.ErrorList{field.Invalid(fldPath, v.String(), "must not be greater than 100%")}
}

// nonNegative appends the usual ">= 0" error for each named value.
func nonNegative(fldPath *field.Path, values map[string]int64) field.ErrorList {
	var errs field.ErrorList
	for _, name := range sortedKeys(values) {
		errs = append(errs, apivalidation.ValidateNonnegativeField(values[name], fldPath.Child(name))...)
	}
	return errs
}

// validateCollisionCount refuses a status update that lowers collisionCount:
// controllers use it to pick fresh hash names, so going back would reuse one.
func validateCollisionCount(newCount, oldCount *int32, fldPath *field.Path) field.ErrorList {
	if newCount != nil && oldCount != nil && *newCount < *oldCount {
		return field.ErrorList{field.Invalid(fldPath, *newCount, "cannot be decremented")}
	}
	return nil
}

// notGreater appends an error when value exceeds limit.
func notGreater(fldPath *field.Path, value, limit int32, msg string) field.ErrorList {
	if value > limit {
		return field.ErrorList{field.Invalid(fldPath, value, msg)}
	}
	return nil
}

// ContainerCells lays out the CONTAINERS and IMAGES cells of wide output
// the way kubectl does (comma-separated, in template order).
func ContainerCells(containers []v1.Container) (names, images string) {
	n := make([]string, len(containers))
	im := make([]string, len(containers))
	for i, c := range containers {
		n[i], im[i] = c.Name, c.Image
	}
	return strings.Join(n, ","), strings.Join(im, ",")
}

// SelectorCell renders a selector as kubectl's SELECTOR column does.
func SelectorCell(sel *metav1.LabelSelector) string {
	return metav1.FormatLabelSelector(sel)
}

// containerColumns are the wide CONTAINERS and IMAGES columns every workload
// table ends with.
func containerColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		{Name: "Containers", Type: "string", Priority: 1, Description: "Names of each container in the template."},
		{Name: "Images", Type: "string", Priority: 1, Description: "Images referenced by each container in the template."},
	}
}
