package batch

import (
	"context"
	"reflect"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

const uid = "0c1d2e3f-0000-4000-8000-000000000001"

func newJob() *batchv1.Job {
	return &batchv1.Job{ObjectMeta: meta("pi"), Spec: batchv1.JobSpec{Template: podTemplate()}}
}

func TestJobDefaults(t *testing.T) {
	job := newJob()
	if errs := registrytest.Create(jobStrategy{}, job); len(errs) != 0 {
		t.Fatalf("valid job refused: %v", errs)
	}
	s := job.Spec
	if *s.Completions != 1 || *s.Parallelism != 1 || *s.BackoffLimit != 6 || *s.CompletionMode != batchv1.NonIndexedCompletion ||
		*s.Suspend || *s.PodReplacementPolicy != batchv1.TerminatingOrFailed {
		t.Errorf("spec not defaulted: %+v", s)
	}
	wantSel := &metav1.LabelSelector{MatchLabels: map[string]string{batchv1.ControllerUidLabel: uid}}
	if !reflect.DeepEqual(s.Selector, wantSel) {
		t.Errorf("selector = %v", s.Selector)
	}
	wantLabels := map[string]string{
		batchv1.ControllerUidLabel: uid, batchv1.JobNameLabel: "pi", "controller-uid": uid, "job-name": "pi",
	}
	if !reflect.DeepEqual(s.Template.Labels, wantLabels) {
		t.Errorf("template labels = %v", s.Template.Labels)
	}
	if !reflect.DeepEqual(job.Labels, wantLabels) {
		t.Errorf("job labels = %v, want the template's", job.Labels)
	}

	// Parallelism alone leaves completions unset (a work-queue job).
	wq := newJob()
	wq.Spec.Parallelism = ptr[int32](3)
	registrytest.Create(jobStrategy{}, wq)
	if wq.Spec.Completions != nil || *wq.Spec.Parallelism != 3 {
		t.Errorf("work queue: completions %v parallelism %v", wq.Spec.Completions, *wq.Spec.Parallelism)
	}

	// Per-index backoff lifts the global limit; a failure policy waits for
	// failed pods before replacing them.
	ix := newJob()
	ix.Spec.CompletionMode = ptr(batchv1.IndexedCompletion)
	ix.Spec.Completions = ptr[int32](3)
	ix.Spec.BackoffLimitPerIndex = ptr[int32](1)
	ix.Spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{
		Action: batchv1.PodFailurePolicyActionIgnore, OnPodConditions: []batchv1.PodFailurePolicyOnPodConditionsPattern{{Type: v1.DisruptionTarget}},
	}}}
	if errs := registrytest.Create(jobStrategy{}, ix); len(errs) != 0 {
		t.Fatal(errs)
	}
	if *ix.Spec.BackoffLimit != 1<<31-1 || *ix.Spec.PodReplacementPolicy != batchv1.Failed ||
		ix.Spec.PodFailurePolicy.Rules[0].OnPodConditions[0].Status != v1.ConditionTrue {
		t.Errorf("indexed defaults: %+v", ix.Spec)
	}

	// Existing user labels are kept (and refused later if they conflict).
	kept := newJob()
	kept.Spec.Template.Labels = map[string]string{"job-name": "custom"}
	registrytest.CheckErrors(t, registrytest.Create(jobStrategy{}, kept), registrytest.WantErr{Type: field.ErrorTypeInvalid, Field: "spec.template.metadata.labels[job-name]"})
}

func TestJobValidate(t *testing.T) {
	manual := func(j *batchv1.Job) {
		j.Spec.ManualSelector = ptr(true)
		j.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "pi"}}
		j.Spec.Template.Labels = map[string]string{"app": "pi"}
	}
	tests := []struct {
		name   string
		mutate func(*batchv1.Job)
		want   []registrytest.WantErr
	}{
		{"valid", func(*batchv1.Job) {}, nil},
		{"onFailure", func(j *batchv1.Job) { j.Spec.Template.Spec.RestartPolicy = v1.RestartPolicyOnFailure }, nil},
		{"manual selector", manual, nil},
		{"restartPolicy Always", func(j *batchv1.Job) { j.Spec.Template.Spec.RestartPolicy = v1.RestartPolicyAlways },
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.template.spec.restartPolicy"}}},
		{"manual selector mismatch", func(j *batchv1.Job) {
			manual(j)
			j.Spec.Template.Labels = map[string]string{"app": "other"}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.template.metadata.labels"}}},
		{"manual without selector", func(j *batchv1.Job) {
			manual(j)
			j.Spec.Selector = nil
		}, []registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.selector"}}},
		{"selector without manualSelector", func(j *batchv1.Job) {
			j.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "pi"}}
			j.Spec.Template.Labels = map[string]string{"app": "pi"}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.selector"}}},
		{"negative parallelism", func(j *batchv1.Job) { j.Spec.Parallelism = ptr[int32](-1) },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.parallelism"}}},
		{"negative backoffLimit", func(j *batchv1.Job) { j.Spec.BackoffLimit = ptr[int32](-1) },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.backoffLimit"}}},
		{"indexed without completions", func(j *batchv1.Job) {
			j.Spec.CompletionMode = ptr(batchv1.IndexedCompletion)
			j.Spec.Parallelism = ptr[int32](2)
		}, []registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.completions"}}},
		{"bad completion mode", func(j *batchv1.Job) { j.Spec.CompletionMode = ptr(batchv1.CompletionMode("Sometimes")) },
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.completionMode"}}},
		{"per-index backoff needs indexed", func(j *batchv1.Job) { j.Spec.BackoffLimitPerIndex = ptr[int32](1) },
			[]registrytest.WantErr{{Type: field.ErrorTypeForbidden, Field: "spec.backoffLimitPerIndex"}}},
		{"maxFailedIndexes needs per-index backoff", func(j *batchv1.Job) {
			j.Spec.CompletionMode = ptr(batchv1.IndexedCompletion)
			j.Spec.Completions = ptr[int32](5)
			j.Spec.MaxFailedIndexes = ptr[int32](1)
		}, []registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.backoffLimitPerIndex"}}},
		{"failure policy needs Never", func(j *batchv1.Job) {
			j.Spec.Template.Spec.RestartPolicy = v1.RestartPolicyOnFailure
			j.Spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{
				Action: batchv1.PodFailurePolicyActionFailJob, OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: "In", Values: []int32{42}},
			}}}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.template.spec.restartPolicy"}}},
		{"bad managedBy", func(j *batchv1.Job) { j.Spec.ManagedBy = ptr("kueue") },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.managedBy"}}},
		{"no uid", func(j *batchv1.Job) { j.UID = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "metadata.uid"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newJob()
			tt.mutate(j)
			registrytest.CheckErrors(t, registrytest.Create(jobStrategy{}, j), tt.want...)
		})
	}
}

func TestJobUpdate(t *testing.T) {
	tests := []struct {
		name      string
		suspended bool
		mutate    func(*batchv1.Job)
		want      []registrytest.WantErr
	}{
		{"parallelism", false, func(j *batchv1.Job) { j.Spec.Parallelism = ptr[int32](4) }, nil},
		{"suspend", false, func(j *batchv1.Job) { j.Spec.Suspend = ptr(true) }, nil},
		{"completions", false, func(j *batchv1.Job) { j.Spec.Completions = ptr[int32](4) },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.completions"}}},
		{"selector", false, func(j *batchv1.Job) { j.Spec.Selector.MatchLabels["x"] = "y"; j.Spec.Template.Labels["x"] = "y" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.selector"}, {Type: field.ErrorTypeInvalid, Field: "spec.template"}}},
		{"image", false, func(j *batchv1.Job) { j.Spec.Template.Spec.Containers[0].Image = "perl:5.40" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.template"}}},
		{"node selector while running", false, func(j *batchv1.Job) { j.Spec.Template.Spec.NodeSelector = map[string]string{"zone": "a"} },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.template"}}},
		{"node selector while suspended", true, func(j *batchv1.Job) { j.Spec.Template.Spec.NodeSelector = map[string]string{"zone": "a"} }, nil},
		{"image while suspended", true, func(j *batchv1.Job) { j.Spec.Template.Spec.Containers[0].Image = "perl:5.40" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.template"}}},
		{"completion mode", false, func(j *batchv1.Job) {
			j.Spec.CompletionMode = ptr(batchv1.IndexedCompletion)
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.completionMode"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := newJob()
			old.Spec.Suspend = ptr(tt.suspended)
			if errs := registrytest.Create(jobStrategy{}, old); len(errs) != 0 {
				t.Fatal(errs)
			}
			j := old.DeepCopy()
			tt.mutate(j)
			registrytest.CheckErrors(t, registrytest.Update(jobStrategy{}, j, old), tt.want...)
		})
	}
}

func TestElasticIndexedJob(t *testing.T) {
	old := newJob()
	old.Spec.CompletionMode = ptr(batchv1.IndexedCompletion)
	old.Spec.Completions, old.Spec.Parallelism = ptr[int32](3), ptr[int32](3)
	if errs := registrytest.Create(jobStrategy{}, old); len(errs) != 0 {
		t.Fatal(errs)
	}
	j := old.DeepCopy()
	j.Spec.Completions, j.Spec.Parallelism = ptr[int32](5), ptr[int32](5)
	registrytest.CheckErrors(t, registrytest.Update(jobStrategy{}, j, old))
	j.Spec.Parallelism = ptr[int32](4)
	registrytest.CheckErrors(t, registrytest.Update(jobStrategy{}, j, old), registrytest.WantErr{Type: field.ErrorTypeInvalid, Field: "spec.completions"})
}

func TestJobStatusUpdate(t *testing.T) {
	old := newJob()
	registrytest.Create(jobStrategy{}, old)
	start := metav1.NewTime(time.Now())
	before := metav1.NewTime(start.Add(-time.Minute))
	tests := []struct {
		name   string
		status batchv1.JobStatus
		want   []registrytest.WantErr
	}{
		{"valid", batchv1.JobStatus{Active: 1, StartTime: &start}, nil},
		{"negative", batchv1.JobStatus{Failed: -1}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "status.failed"}}},
		{"completed before start", batchv1.JobStatus{StartTime: &start, CompletionTime: &before},
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "status.completionTime"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := old.DeepCopy()
			j.Status = tt.status
			j.Spec.Parallelism = ptr[int32](9)
			jobStrategy{}.PrepareForStatusUpdate(context.Background(), j, old)
			if *j.Spec.Parallelism != 1 {
				t.Errorf("spec changed through /status")
			}
			registrytest.CheckErrors(t, jobStrategy{}.ValidateStatusUpdate(context.Background(), j, old), tt.want...)
		})
	}
}

func TestJobTable(t *testing.T) {
	want := []string{"Status", "Completions", "Duration", "Age", "Containers*", "Images*", "Selector*"}
	if got := registrytest.ColumnNames(jobStrategy{}); !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v, want %v", got, want)
	}
	job := newJob()
	registrytest.Create(jobStrategy{}, job)
	start := metav1.NewTime(time.Now().Add(-time.Hour))
	done := metav1.NewTime(start.Add(90 * time.Second))
	job.Status = batchv1.JobStatus{
		Succeeded: 1, StartTime: &start, CompletionTime: &done,
		Conditions: []batchv1.JobCondition{{Type: batchv1.JobComplete, Status: v1.ConditionTrue}},
	}
	sel := "batch.kubernetes.io/controller-uid=" + uid
	registrytest.CheckTable(t, jobStrategy{}, job, []interface{}{"Complete", "1/1", "90s", "", "pi", "perl:5.34", sel})

	wq := newJob()
	wq.Spec.Parallelism = ptr[int32](3)
	registrytest.Create(jobStrategy{}, wq)
	wq.Status.Conditions = []batchv1.JobCondition{{Type: batchv1.JobSuspended, Status: v1.ConditionTrue}}
	registrytest.CheckTable(t, jobStrategy{}, wq, []interface{}{"Suspended", "0/1 of 3", "", "", "pi", "perl:5.34", sel})

	f := jobStrategy{}.SelectableFields(job)
	if f["status.successful"] != "1" || f["metadata.name"] != "pi" {
		t.Errorf("fields = %v", f)
	}
}
