package podspec

import (
	v1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// DefaultPodSpec fills unset fields of spec as upstream's defaulting does
// for every PodSpec, templates included (restartPolicy, dnsPolicy,
// schedulerName, terminationGracePeriodSeconds, securityContext, container
// imagePullPolicy from the image tag, terminationMessagePath/Policy, port
// protocols, probe and handler defaults, volume source defaults, env
// fieldRef apiVersion, resource quantities rounded to milli units, ...).
// Pods also need DefaultPodOnly.
func DefaultPodSpec(spec *v1.PodSpec) {
	defaultPodSpec(spec)
}

// ValidatePodSpec returns every wrong field of spec under fldPath (usually
// "spec" or "spec.template.spec"). spec is expected to be defaulted.
func ValidatePodSpec(spec *v1.PodSpec, fldPath *field.Path) field.ErrorList {
	return validatePodSpec(spec, fldPath)
}

// ValidatePodTemplateSpec validates a workload's pod template (labels,
// annotations and spec) under fldPath (usually "spec.template"). Which
// restartPolicy a workload accepts (Always for deployments, OnFailure/Never
// for jobs) is the workload's own rule; here it only has to be a valid one.
func ValidatePodTemplateSpec(t *v1.PodTemplateSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if t == nil {
		return append(errs, field.Required(fldPath, ""))
	}
	errs = append(errs, metav1validation.ValidateLabels(t.Labels, fldPath.Child("labels"))...)
	errs = append(errs, apivalidation.ValidateAnnotations(t.Annotations, fldPath.Child("annotations"))...)
	errs = append(errs, validatePodSpec(&t.Spec, fldPath.Child("spec"))...)
	if len(t.Spec.EphemeralContainers) > 0 {
		errs = append(errs, field.Forbidden(fldPath.Child("spec", "ephemeralContainers"), "ephemeral containers not allowed in pod template"))
	}
	return errs
}
