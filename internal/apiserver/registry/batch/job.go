package batch

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	v1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/apps"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/podspec"
)

// The pre-1.27 label names; upstream still sets and checks them so that
// tooling selecting on them keeps working.
const (
	legacyControllerUIDLabel = "controller-uid"
	legacyJobNameLabel       = "job-name"
)

// jobStrategy is batch/v1 Job.
type jobStrategy struct{ registry.Base }

// PrepareForCreate generates the selector unless the client asked to manage
// it (manualSelector). The handler has set metadata.uid by now, and the
// uid-keyed selector guarantees a job never adopts another job's pods.
func (s jobStrategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	s.Base.PrepareForCreate(ctx, obj)
	job := obj.(*batchv1.Job)
	if job.Spec.ManualSelector == nil || !*job.Spec.ManualSelector {
		generateSelector(job)
	}
}

// generateSelector labels the template with the job's uid and name (new and
// legacy label keys) and selects on the uid. Labels the user already set are
// kept: a conflicting value is refused by validation, not overwritten.
func generateSelector(job *batchv1.Job) {
	t := &job.Spec.Template
	if t.Labels == nil {
		t.Labels = map[string]string{}
	}
	for _, k := range []string{legacyJobNameLabel, batchv1.JobNameLabel} {
		if _, ok := t.Labels[k]; !ok {
			t.Labels[k] = job.Name
		}
	}
	for _, k := range []string{legacyControllerUIDLabel, batchv1.ControllerUidLabel} {
		if _, ok := t.Labels[k]; !ok {
			t.Labels[k] = string(job.UID)
		}
	}
	if job.Spec.Selector == nil {
		job.Spec.Selector = &metav1.LabelSelector{}
	}
	if job.Spec.Selector.MatchLabels == nil {
		job.Spec.Selector.MatchLabels = map[string]string{}
	}
	if _, ok := job.Spec.Selector.MatchLabels[batchv1.ControllerUidLabel]; !ok {
		job.Spec.Selector.MatchLabels[batchv1.ControllerUidLabel] = string(job.UID)
	}
}

// Default applies batch/v1 defaults. A job with neither completions nor
// parallelism is one pod run once; job labels default to the template's
// (which by now include the generated ones), as upstream.
func (jobStrategy) Default(obj runtime.Object) {
	job := obj.(*batchv1.Job)
	defaultJobSpec(&job.Spec)
	if len(job.Labels) == 0 && job.Spec.Template.Labels != nil {
		job.Labels = make(map[string]string, len(job.Spec.Template.Labels))
		for k, v := range job.Spec.Template.Labels {
			job.Labels[k] = v
		}
	}
}

func defaultJobSpec(spec *batchv1.JobSpec) {
	if spec.Completions == nil && spec.Parallelism == nil {
		spec.Completions = ptr[int32](1)
	}
	if spec.Parallelism == nil {
		spec.Parallelism = ptr[int32](1)
	}
	if spec.BackoffLimit == nil {
		if spec.BackoffLimitPerIndex != nil {
			// Per-index limits replace the global one.
			spec.BackoffLimit = ptr[int32](math.MaxInt32)
		} else {
			spec.BackoffLimit = ptr[int32](6)
		}
	}
	if spec.CompletionMode == nil {
		m := batchv1.NonIndexedCompletion
		spec.CompletionMode = &m
	}
	if spec.Suspend == nil {
		spec.Suspend = ptr(false)
	}
	if spec.PodFailurePolicy != nil {
		for i := range spec.PodFailurePolicy.Rules {
			for j := range spec.PodFailurePolicy.Rules[i].OnPodConditions {
				if p := &spec.PodFailurePolicy.Rules[i].OnPodConditions[j]; p.Status == "" {
					p.Status = v1.ConditionTrue
				}
			}
		}
	}
	if spec.PodReplacementPolicy == nil {
		p := batchv1.TerminatingOrFailed
		if spec.PodFailurePolicy != nil {
			p = batchv1.Failed
		}
		spec.PodReplacementPolicy = &p
	}
	podspec.DefaultPodSpec(&spec.Template.Spec)
}

func (jobStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	job := obj.(*batchv1.Job)
	errs := apivalidation.ValidateObjectMeta(&job.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	errs = append(errs, validateGeneratedSelector(job, true)...)
	return append(errs, validateJobSelector(&job.Spec, nil, field.NewPath("spec"))...)
}

// validateJobSelector adds the selector rules of a Job (not of a job
// template) to the shared spec rules.
func validateJobSelector(spec *batchv1.JobSpec, oldSel *metav1.LabelSelector, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if spec.Selector == nil {
		errs = append(errs, field.Required(fldPath.Child("selector"), ""))
	} else {
		errs = append(errs, metav1validation.ValidateLabelSelector(spec.Selector, apps.SelectorOptions(oldSel), fldPath.Child("selector"))...)
	}
	// Generated or manual, the selector must match the pods the job makes.
	errs = append(errs, apps.ValidateSelectorMatchesTemplate(spec.Selector, &spec.Template, fldPath.Child("template"))...)
	return append(errs, validateJobSpec(spec, fldPath)...)
}

// validateGeneratedSelector checks a generated selector was not tampered
// with: the template must carry the job's uid and name labels and the
// selector must be exactly the uid one. batchLabels is false for jobs stored
// before the batch.kubernetes.io/ labels existed.
func validateGeneratedSelector(job *batchv1.Job, batchLabels bool) field.ErrorList {
	if job.Spec.ManualSelector != nil && *job.Spec.ManualSelector {
		return nil
	}
	meta := field.NewPath("spec", "template", "metadata")
	if job.Spec.Template.Labels == nil {
		return field.ErrorList{field.Required(meta.Child("labels"), "")}
	}
	var errs field.ErrorList
	if job.UID == "" {
		errs = append(errs, field.Required(field.NewPath("metadata", "uid"), ""))
	}
	want := map[string]string{legacyControllerUIDLabel: string(job.UID), legacyJobNameLabel: job.Name}
	uidKey := legacyControllerUIDLabel
	if batchLabels {
		want[batchv1.ControllerUidLabel] = string(job.UID)
		want[batchv1.JobNameLabel] = job.Name
		uidKey = batchv1.ControllerUidLabel
	}
	for _, k := range sortedKeys(want) {
		got, ok := job.Spec.Template.Labels[k]
		p := meta.Child("labels").Key(k)
		switch {
		case !ok:
			errs = append(errs, field.Required(p, fmt.Sprintf("must be '%s'", want[k])))
		case got != want[k]:
			errs = append(errs, field.Invalid(p, got, fmt.Sprintf("must be '%s'", want[k])))
		}
	}
	expected := &metav1.LabelSelector{MatchLabels: map[string]string{uidKey: string(job.UID)}}
	if !apiequality.Semantic.DeepEqual(job.Spec.Selector, expected) {
		errs = append(errs, field.Invalid(field.NewPath("spec", "selector"), job.Spec.Selector, "`selector` not auto-generated"))
	}
	return errs
}

// ValidateUpdate keeps most of the spec immutable: the controller has
// already created pods from it. Parallelism, activeDeadlineSeconds,
// backoffLimit, ttl and suspend stay mutable; the template's scheduling
// directives may change while a suspended job has not started; completions
// may change together with parallelism for Indexed jobs (elastic jobs).
func (jobStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	job, o := obj.(*batchv1.Job), old.(*batchv1.Job)
	errs := apivalidation.ValidateObjectMetaUpdate(&job.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	_, hadBatchLabels := o.Spec.Template.Labels[batchv1.ControllerUidLabel]
	errs = append(errs, validateGeneratedSelector(job, hadBatchLabels)...)
	fldPath := field.NewPath("spec")
	errs = append(errs, validateJobSelector(&job.Spec, o.Spec.Selector, fldPath)...)

	spec, old2 := &job.Spec, &o.Spec
	if !apiequality.Semantic.DeepEqual(spec.Completions, old2.Completions) {
		if isIndexed(spec) && isIndexed(old2) {
			if spec.Completions != nil && spec.Parallelism != nil && *spec.Completions != *spec.Parallelism {
				errs = append(errs, field.Invalid(fldPath.Child("completions"), *spec.Completions,
					fmt.Sprintf("can only be modified in tandem with %s", fldPath.Child("parallelism"))))
			}
		} else {
			errs = append(errs, apivalidation.ValidateImmutableField(spec.Completions, old2.Completions, fldPath.Child("completions"))...)
		}
	}
	for name, pair := range map[string][2]interface{}{
		"selector":             {spec.Selector, old2.Selector},
		"completionMode":       {spec.CompletionMode, old2.CompletionMode},
		"podFailurePolicy":     {spec.PodFailurePolicy, old2.PodFailurePolicy},
		"backoffLimitPerIndex": {spec.BackoffLimitPerIndex, old2.BackoffLimitPerIndex},
		"managedBy":            {spec.ManagedBy, old2.ManagedBy},
		"successPolicy":        {spec.SuccessPolicy, old2.SuccessPolicy},
	} {
		errs = append(errs, apivalidation.ValidateImmutableField(pair[0], pair[1], fldPath.Child(name))...)
	}
	errs = append(errs, validateTemplateUpdate(job, o, fldPath.Child("template"))...)
	return sortByField(errs)
}

func isIndexed(spec *batchv1.JobSpec) bool {
	return spec.CompletionMode != nil && *spec.CompletionMode == batchv1.IndexedCompletion
}

// validateTemplateUpdate refuses template changes, except that a suspended
// job that never started may be re-targeted (node selector and affinity,
// tolerations, scheduling gates, labels, annotations): queueing systems
// decide placement before resuming a job.
func validateTemplateUpdate(job, old *batchv1.Job, fldPath *field.Path) field.ErrorList {
	t, ot := &job.Spec.Template, old.Spec.Template.DeepCopy()
	suspended := old.Spec.Suspend != nil && *old.Spec.Suspend
	if suspended && old.Status.StartTime == nil {
		switch {
		case t.Spec.Affinity == nil && ot.Spec.Affinity != nil:
			ot.Spec.Affinity.NodeAffinity = nil
			if apiequality.Semantic.DeepEqual(*ot.Spec.Affinity, v1.Affinity{}) {
				ot.Spec.Affinity = nil
			}
		case t.Spec.Affinity != nil && ot.Spec.Affinity == nil:
			ot.Spec.Affinity = &v1.Affinity{NodeAffinity: t.Spec.Affinity.NodeAffinity}
		case t.Spec.Affinity != nil && ot.Spec.Affinity != nil:
			ot.Spec.Affinity.NodeAffinity = t.Spec.Affinity.NodeAffinity
		}
		ot.Spec.NodeSelector = t.Spec.NodeSelector
		ot.Spec.Tolerations = t.Spec.Tolerations
		ot.Spec.SchedulingGates = t.Spec.SchedulingGates
		ot.Labels = t.Labels
		ot.Annotations = t.Annotations
	}
	return apivalidation.ValidateImmutableField(t, ot, fldPath)
}

func (jobStrategy) ValidateStatusUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	job, o := obj.(*batchv1.Job), old.(*batchv1.Job)
	errs := apivalidation.ValidateObjectMetaUpdate(&job.ObjectMeta, &o.ObjectMeta, field.NewPath("metadata"))
	fldPath := field.NewPath("status")
	st := &job.Status
	for name, v := range map[string]*int32{
		"active": &st.Active, "succeeded": &st.Succeeded, "failed": &st.Failed, "ready": st.Ready, "terminating": st.Terminating,
	} {
		if v != nil {
			errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*v), fldPath.Child(name))...)
		}
	}
	if st.StartTime != nil && st.CompletionTime != nil && st.CompletionTime.Before(st.StartTime) {
		errs = append(errs, field.Invalid(fldPath.Child("completionTime"), st.CompletionTime, "completionTime cannot be set before startTime"))
	}
	return sortByField(errs)
}

// TableColumns are kubectl's: STATUS COMPLETIONS DURATION AGE, and with -o
// wide CONTAINERS IMAGES SELECTOR.
func (jobStrategy) TableColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		{Name: "Status", Type: "string", Description: "Status of the job."},
		{Name: "Completions", Type: "string", Description: batchv1.JobStatus{}.SwaggerDoc()["succeeded"]},
		{Name: "Duration", Type: "string", Description: "Time required to complete the job."},
		registry.AgeColumn,
		{Name: "Containers", Type: "string", Priority: 1, Description: "Names of each container in the template."},
		{Name: "Images", Type: "string", Priority: 1, Description: "Images referenced by each container in the template."},
		{Name: "Selector", Type: "string", Priority: 1, Description: batchv1.JobSpec{}.SwaggerDoc()["selector"]},
	}
}

func (jobStrategy) TableRow(obj runtime.Object) []interface{} {
	job := obj.(*batchv1.Job)
	var completions string
	switch {
	case job.Spec.Completions != nil:
		completions = fmt.Sprintf("%d/%d", job.Status.Succeeded, *job.Spec.Completions)
	case job.Spec.Parallelism != nil && *job.Spec.Parallelism > 1:
		// A work queue job: done after one success, many workers.
		completions = fmt.Sprintf("%d/1 of %d", job.Status.Succeeded, *job.Spec.Parallelism)
	default:
		completions = fmt.Sprintf("%d/1", job.Status.Succeeded)
	}
	var took string
	switch st := job.Status; {
	case st.StartTime == nil:
	case st.CompletionTime == nil:
		took = duration.HumanDuration(time.Since(st.StartTime.Time))
	default:
		took = duration.HumanDuration(st.CompletionTime.Sub(st.StartTime.Time))
	}
	names, images := apps.ContainerCells(job.Spec.Template.Spec.Containers)
	return []interface{}{jobStatus(job), completions, took, registry.Age(obj), names, images, apps.SelectorCell(job.Spec.Selector)}
}

// jobStatus summarises a job as kubectl does, terminal conditions first.
func jobStatus(job *batchv1.Job) string {
	switch {
	case hasCondition(job, batchv1.JobComplete):
		return "Complete"
	case hasCondition(job, batchv1.JobFailed):
		return "Failed"
	case job.DeletionTimestamp != nil:
		return "Terminating"
	case hasCondition(job, batchv1.JobSuspended):
		return "Suspended"
	case hasCondition(job, batchv1.JobFailureTarget):
		return "FailureTarget"
	case hasCondition(job, batchv1.JobSuccessCriteriaMet):
		return "SuccessCriteriaMet"
	default:
		return "Running"
	}
}

func hasCondition(job *batchv1.Job, t batchv1.JobConditionType) bool {
	for _, c := range job.Status.Conditions {
		if c.Type == t {
			return c.Status == v1.ConditionTrue
		}
	}
	return false
}

// SelectableFields adds status.successful, which upstream serves (e.g.
// `kubectl get jobs --field-selector status.successful=1`).
func (jobStrategy) SelectableFields(obj runtime.Object) fields.Set {
	set := registry.MetaFields(obj)
	set["status.successful"] = strconv.Itoa(int(obj.(*batchv1.Job).Status.Succeeded))
	return set
}
