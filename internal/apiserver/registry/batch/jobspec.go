package batch

import (
	"fmt"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/validate/content"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/podspec"
)

// Limits upstream enforces so the job controller's per-index bookkeeping
// (annotations, status strings) stays bounded.
const (
	maxParallelismForIndexedJob   = 100000
	maxCompletionsPerIndexBackoff = 100000
	maxFailedIndexesLimit         = 100000
	maxPodFailurePolicyRules      = 20
	maxOnPodConditionsPatterns    = 20
	maxOnExitCodesValues          = 255
	maxSuccessPolicyRules         = 20
	maxSucceededIndexesLength     = 64 * 1024
	maxManagedByLength            = 63
)

// validateJobSpec holds the rules shared by Jobs and CronJob job templates;
// the selector rules differ between the two and live with each kind.
func validateJobSpec(spec *batchv1.JobSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for name, v := range map[string]*int32{
		"parallelism": spec.Parallelism, "completions": spec.Completions, "backoffLimit": spec.BackoffLimit,
		"ttlSecondsAfterFinished": spec.TTLSecondsAfterFinished,
	} {
		if v != nil {
			errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*v), fldPath.Child(name))...)
		}
	}
	if spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(*spec.ActiveDeadlineSeconds, fldPath.Child("activeDeadlineSeconds"))...)
	}
	indexed := spec.CompletionMode != nil && *spec.CompletionMode == batchv1.IndexedCompletion
	if spec.BackoffLimitPerIndex != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*spec.BackoffLimitPerIndex), fldPath.Child("backoffLimitPerIndex"))...)
		if !indexed {
			errs = append(errs, field.Forbidden(fldPath.Child("backoffLimitPerIndex"), "requires indexed completion mode"))
		}
		if spec.Completions != nil && *spec.Completions > maxCompletionsPerIndexBackoff {
			errs = append(errs, field.Invalid(fldPath.Child("completions"), *spec.Completions,
				fmt.Sprintf("must be less than or equal to %d when backoffLimitPerIndex is specified", maxCompletionsPerIndexBackoff)))
		}
	}
	if m := spec.MaxFailedIndexes; m != nil {
		p := fldPath.Child("maxFailedIndexes")
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*m), p)...)
		if spec.BackoffLimitPerIndex == nil {
			errs = append(errs, field.Required(fldPath.Child("backoffLimitPerIndex"), "when maxFailedIndexes is specified"))
		}
		if *m > maxFailedIndexesLimit {
			errs = append(errs, field.Invalid(p, *m, fmt.Sprintf("must be less than or equal to %d", maxFailedIndexesLimit)))
		}
		if spec.Completions != nil && *m > *spec.Completions {
			errs = append(errs, field.Invalid(p, *m, "must be less than or equal to completions"))
		}
	}
	if spec.ManagedBy != nil {
		p := fldPath.Child("managedBy")
		errs = append(errs, validation.IsDomainPrefixedPath(p, *spec.ManagedBy)...)
		if len(*spec.ManagedBy) > maxManagedByLength {
			errs = append(errs, field.TooLong(p, *spec.ManagedBy, maxManagedByLength))
		}
	}
	if spec.CompletionMode != nil {
		switch *spec.CompletionMode {
		case batchv1.NonIndexedCompletion:
		case batchv1.IndexedCompletion:
			if spec.Completions == nil {
				errs = append(errs, field.Required(fldPath.Child("completions"), fmt.Sprintf("when completion mode is %s", batchv1.IndexedCompletion)))
			}
			if spec.Parallelism != nil && *spec.Parallelism > maxParallelismForIndexedJob {
				errs = append(errs, field.Invalid(fldPath.Child("parallelism"), *spec.Parallelism,
					fmt.Sprintf("must be less than or equal to %d when completion mode is %s", maxParallelismForIndexedJob, batchv1.IndexedCompletion)))
			}
		default:
			errs = append(errs, field.NotSupported(fldPath.Child("completionMode"), *spec.CompletionMode,
				[]batchv1.CompletionMode{batchv1.NonIndexedCompletion, batchv1.IndexedCompletion}))
		}
	}
	if spec.PodFailurePolicy != nil {
		errs = append(errs, validatePodFailurePolicy(spec, fldPath.Child("podFailurePolicy"))...)
	}
	if spec.SuccessPolicy != nil {
		errs = append(errs, validateSuccessPolicy(spec, fldPath.Child("successPolicy"))...)
	}
	if p := spec.PodReplacementPolicy; p != nil {
		pp := fldPath.Child("podReplacementPolicy")
		switch *p {
		case batchv1.TerminatingOrFailed, batchv1.Failed:
			// Pod failure policies judge terminated pods only, so a
			// replacement must wait until the old pod has failed.
			if spec.PodFailurePolicy != nil && *p != batchv1.Failed {
				errs = append(errs, field.NotSupported(pp, *p, []batchv1.PodReplacementPolicy{batchv1.Failed}))
			}
		default:
			errs = append(errs, field.NotSupported(pp, *p, []batchv1.PodReplacementPolicy{batchv1.Failed, batchv1.TerminatingOrFailed}))
		}
	}

	tpath := fldPath.Child("template")
	errs = append(errs, podspec.ValidatePodTemplateSpec(&spec.Template, tpath)...)
	// A job's pods run to completion; Always would restart them forever.
	switch rp := spec.Template.Spec.RestartPolicy; {
	case rp != v1.RestartPolicyOnFailure && rp != v1.RestartPolicyNever:
		errs = append(errs, field.NotSupported(tpath.Child("spec", "restartPolicy"), rp,
			[]v1.RestartPolicy{v1.RestartPolicyOnFailure, v1.RestartPolicyNever}))
	case spec.PodFailurePolicy != nil && rp != v1.RestartPolicyNever:
		// With OnFailure the kubelet restarts containers in place, so the
		// policy would never see the failure it is meant to judge.
		errs = append(errs, field.Invalid(tpath.Child("spec", "restartPolicy"), rp,
			fmt.Sprintf("only %q is supported when podFailurePolicy is specified", v1.RestartPolicyNever)))
	}
	return sortByField(errs)
}

func validatePodFailurePolicy(spec *batchv1.JobSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	rules := spec.PodFailurePolicy.Rules
	rulesPath := fldPath.Child("rules")
	if len(rules) > maxPodFailurePolicyRules {
		errs = append(errs, field.TooMany(rulesPath, len(rules), maxPodFailurePolicyRules))
	}
	containers := map[string]bool{}
	for _, c := range spec.Template.Spec.Containers {
		containers[c.Name] = true
	}
	for _, c := range spec.Template.Spec.InitContainers {
		containers[c.Name] = true
	}
	actions := []batchv1.PodFailurePolicyAction{
		batchv1.PodFailurePolicyActionCount, batchv1.PodFailurePolicyActionFailIndex,
		batchv1.PodFailurePolicyActionFailJob, batchv1.PodFailurePolicyActionIgnore,
	}
	for i, r := range rules {
		rp := rulesPath.Index(i)
		switch r.Action {
		case "":
			errs = append(errs, field.Required(rp.Child("action"), fmt.Sprintf("valid values: %q", actions)))
		case batchv1.PodFailurePolicyActionFailIndex:
			if spec.BackoffLimitPerIndex == nil {
				errs = append(errs, field.Invalid(rp.Child("action"), r.Action, "requires the backoffLimitPerIndex to be set"))
			}
		case batchv1.PodFailurePolicyActionCount, batchv1.PodFailurePolicyActionFailJob, batchv1.PodFailurePolicyActionIgnore:
		default:
			errs = append(errs, field.NotSupported(rp.Child("action"), r.Action, actions))
		}
		if r.OnExitCodes != nil {
			errs = append(errs, validateOnExitCodes(r.OnExitCodes, rp.Child("onExitCodes"), containers)...)
		}
		if len(r.OnPodConditions) > 0 {
			errs = append(errs, validateOnPodConditions(r.OnPodConditions, rp.Child("onPodConditions"))...)
		}
		switch {
		case r.OnExitCodes != nil && len(r.OnPodConditions) > 0:
			errs = append(errs, field.Invalid(rp, field.OmitValueType{}, "specifying both OnExitCodes and OnPodConditions is not supported"))
		case r.OnExitCodes == nil && len(r.OnPodConditions) == 0:
			errs = append(errs, field.Invalid(rp, field.OmitValueType{}, "specifying one of OnExitCodes and OnPodConditions is required"))
		}
	}
	return errs
}

func validateOnExitCodes(r *batchv1.PodFailurePolicyOnExitCodesRequirement, fldPath *field.Path, containers map[string]bool) field.ErrorList {
	var errs field.ErrorList
	ops := []batchv1.PodFailurePolicyOnExitCodesOperator{batchv1.PodFailurePolicyOnExitCodesOpIn, batchv1.PodFailurePolicyOnExitCodesOpNotIn}
	switch r.Operator {
	case "":
		errs = append(errs, field.Required(fldPath.Child("operator"), fmt.Sprintf("valid values: %q", ops)))
	case batchv1.PodFailurePolicyOnExitCodesOpIn, batchv1.PodFailurePolicyOnExitCodesOpNotIn:
	default:
		errs = append(errs, field.NotSupported(fldPath.Child("operator"), r.Operator, ops))
	}
	if r.ContainerName != nil && !containers[*r.ContainerName] {
		errs = append(errs, field.Invalid(fldPath.Child("containerName"), *r.ContainerName, "must be one of the container or initContainer names in the pod template"))
	}
	vp := fldPath.Child("values")
	switch {
	case len(r.Values) == 0:
		errs = append(errs, field.Invalid(vp, r.Values, "at least one value is required"))
	case len(r.Values) > maxOnExitCodesValues:
		errs = append(errs, field.TooMany(vp, len(r.Values), maxOnExitCodesValues))
	default:
		seen := map[int32]bool{}
		ordered := true
		for j, v := range r.Values {
			// Exit code 0 is success; matching it "In" would treat success
			// as a failure to act on.
			if r.Operator == batchv1.PodFailurePolicyOnExitCodesOpIn && v == 0 {
				errs = append(errs, field.Invalid(vp.Index(j), v, "must not be 0 for the In operator"))
			}
			if seen[v] {
				errs = append(errs, field.Duplicate(vp.Index(j), v))
			}
			seen[v] = true
			if j > 0 && r.Values[j-1] > v {
				ordered = false
			}
		}
		if !ordered {
			errs = append(errs, field.Invalid(vp, r.Values, "must be ordered"))
		}
	}
	return errs
}

func validateOnPodConditions(patterns []batchv1.PodFailurePolicyOnPodConditionsPattern, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(patterns) > maxOnPodConditionsPatterns {
		errs = append(errs, field.TooMany(fldPath, len(patterns), maxOnPodConditionsPatterns))
	}
	statuses := []v1.ConditionStatus{v1.ConditionFalse, v1.ConditionTrue, v1.ConditionUnknown}
	for j, p := range patterns {
		pp := fldPath.Index(j)
		for _, msg := range content.IsLabelKey(string(p.Type)) {
			errs = append(errs, field.Invalid(pp.Child("type"), p.Type, msg))
		}
		switch p.Status {
		case "":
			errs = append(errs, field.Required(pp.Child("status"), fmt.Sprintf("valid values: %q", statuses)))
		case v1.ConditionTrue, v1.ConditionFalse, v1.ConditionUnknown:
		default:
			errs = append(errs, field.NotSupported(pp.Child("status"), p.Status, statuses))
		}
	}
	return errs
}

func validateSuccessPolicy(spec *batchv1.JobSpec, fldPath *field.Path) field.ErrorList {
	// Success policies name indexes, which only Indexed jobs have.
	if spec.CompletionMode == nil || *spec.CompletionMode != batchv1.IndexedCompletion || spec.Completions == nil {
		return field.ErrorList{field.Invalid(fldPath, field.OmitValueType{}, "requires indexed completion mode")}
	}
	var errs field.ErrorList
	rules := spec.SuccessPolicy.Rules
	rulesPath := fldPath.Child("rules")
	if len(rules) == 0 {
		errs = append(errs, field.Required(rulesPath, "at least one rules must be specified when the successPolicy is specified"))
	}
	if len(rules) > maxSuccessPolicyRules {
		errs = append(errs, field.TooMany(rulesPath, len(rules), maxSuccessPolicyRules))
	}
	completions := *spec.Completions
	for i, r := range rules {
		rp := rulesPath.Index(i)
		var total int32
		if r.SucceededIndexes != nil {
			ip := rp.Child("succeededIndexes")
			n, err := countIndexes(*r.SucceededIndexes, completions)
			if err != nil {
				errs = append(errs, field.Invalid(ip, *r.SucceededIndexes, "error parsing succeededIndexes: "+err.Error()))
			}
			total = n
			if len(*r.SucceededIndexes) > maxSucceededIndexesLength {
				errs = append(errs, field.TooLong(ip, *r.SucceededIndexes, maxSucceededIndexesLength))
			}
		}
		if c := r.SucceededCount; c != nil {
			cp := rp.Child("succeededCount")
			errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*c), cp)...)
			if *c > completions {
				errs = append(errs, field.Invalid(cp, *c, fmt.Sprintf("must be less than or equal to %d (the number of specified completions)", completions)))
			}
			if r.SucceededIndexes != nil && *c > total {
				errs = append(errs, field.Invalid(cp, *c, fmt.Sprintf("must be less than or equal to %d (the number of indexes in the specified succeededIndexes field)", total)))
			}
		}
		if r.SucceededIndexes == nil && r.SucceededCount == nil {
			errs = append(errs, field.Required(rp, "at least one of succeededCount or succeededIndexes must be specified"))
		}
	}
	return errs
}

// countIndexes parses an index set such as "0,2-5,7" (ascending, disjoint,
// each below completions) and returns how many indexes it names.
func countIndexes(s string, completions int32) (int32, error) {
	var total int32
	last := int64(-1)
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		first, err := strconv.ParseInt(lo, 10, 32)
		if err != nil {
			return 0, fmt.Errorf("cannot convert string to integer for index: %q", lo)
		}
		end := first
		if isRange {
			if end, err = strconv.ParseInt(hi, 10, 32); err != nil {
				return 0, fmt.Errorf("cannot convert string to integer for index: %q", hi)
			}
			if end <= first {
				return 0, fmt.Errorf("non-increasing order, previous: %d, current: %d", first, end)
			}
		}
		switch {
		case first <= last:
			return 0, fmt.Errorf("non-increasing order, previous: %d, current: %d", last, first)
		case end >= int64(completions):
			return 0, fmt.Errorf("too large index: %d", end)
		}
		total += int32(end - first + 1)
		last = end
	}
	return total, nil
}
