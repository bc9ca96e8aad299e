package batch

import (
	"reflect"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/hanok-dev/hanok/internal/apiserver/registry/registrytest"
)

func newCronJob() *batchv1.CronJob {
	return &batchv1.CronJob{
		ObjectMeta: meta("hello"),
		Spec: batchv1.CronJobSpec{
			Schedule:    "*/5 * * * *",
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: podTemplate()}},
		},
	}
}

func TestCronJobDefaults(t *testing.T) {
	cj := newCronJob()
	if errs := registrytest.Create(cronJobStrategy{}, cj); len(errs) != 0 {
		t.Fatal(errs)
	}
	s := cj.Spec
	if s.ConcurrencyPolicy != batchv1.AllowConcurrent || *s.Suspend || *s.SuccessfulJobsHistoryLimit != 3 || *s.FailedJobsHistoryLimit != 1 {
		t.Errorf("not defaulted: %+v", s)
	}
	// The job template's spec keeps its unset fields; Jobs get them.
	if s.JobTemplate.Spec.BackoffLimit != nil || s.JobTemplate.Spec.Selector != nil {
		t.Errorf("job template defaulted: %+v", s.JobTemplate.Spec)
	}
}

func TestCronJobValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*batchv1.CronJob)
		want   []registrytest.WantErr
	}{
		{"valid", func(*batchv1.CronJob) {}, nil},
		{"macro", func(c *batchv1.CronJob) { c.Spec.Schedule = "@hourly" }, nil},
		{"every", func(c *batchv1.CronJob) { c.Spec.Schedule = "@every 1h30m" }, nil},
		{"names", func(c *batchv1.CronJob) { c.Spec.Schedule = "0 9 * JAN-MAR MON-FRI" }, nil},
		{"time zone", func(c *batchv1.CronJob) { c.Spec.TimeZone = ptr("Europe/Berlin") }, nil},
		{"forbid", func(c *batchv1.CronJob) { c.Spec.ConcurrencyPolicy = batchv1.ForbidConcurrent }, nil},
		{"bad schedule", func(c *batchv1.CronJob) { c.Spec.Schedule = "every minute" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.schedule"}}},
		{"six fields", func(c *batchv1.CronJob) { c.Spec.Schedule = "0 */5 * * * *" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.schedule"}}},
		{"minute out of range", func(c *batchv1.CronJob) { c.Spec.Schedule = "61 * * * *" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.schedule"}}},
		{"empty schedule", func(c *batchv1.CronJob) { c.Spec.Schedule = "" },
			[]registrytest.WantErr{{Type: field.ErrorTypeRequired, Field: "spec.schedule"}}},
		{"TZ in schedule", func(c *batchv1.CronJob) { c.Spec.Schedule = "CRON_TZ=UTC 0 * * * *" },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.schedule"}}},
		{"unknown time zone", func(c *batchv1.CronJob) { c.Spec.TimeZone = ptr("Mars/Olympus") },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.timeZone"}}},
		{"path time zone", func(c *batchv1.CronJob) { c.Spec.TimeZone = ptr("../etc/passwd") },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.timeZone"}}},
		{"local time zone", func(c *batchv1.CronJob) { c.Spec.TimeZone = ptr("Local") },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.timeZone"}}},
		{"empty time zone", func(c *batchv1.CronJob) { c.Spec.TimeZone = ptr("") },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.timeZone"}}},
		{"bad concurrency", func(c *batchv1.CronJob) { c.Spec.ConcurrencyPolicy = "Sometimes" },
			[]registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.concurrencyPolicy"}}},
		{"negative history", func(c *batchv1.CronJob) { c.Spec.FailedJobsHistoryLimit = ptr[int32](-1) },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.failedJobsHistoryLimit"}}},
		{"long name", func(c *batchv1.CronJob) { c.Name = strings.Repeat("a", 53) },
			[]registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "metadata.name"}}},
		{"template selector", func(c *batchv1.CronJob) {
			c.Spec.JobTemplate.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"a": "b"}}
		}, []registrytest.WantErr{{Type: field.ErrorTypeInvalid, Field: "spec.jobTemplate.spec.selector"}}},
		{"template restartPolicy Always", func(c *batchv1.CronJob) {
			c.Spec.JobTemplate.Spec.Template.Spec.RestartPolicy = v1.RestartPolicyAlways
		}, []registrytest.WantErr{{Type: field.ErrorTypeNotSupported, Field: "spec.jobTemplate.spec.template.spec.restartPolicy"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCronJob()
			tt.mutate(c)
			registrytest.CheckErrors(t, registrytest.Create(cronJobStrategy{}, c), tt.want...)
		})
	}
}

func TestCronJobUpdate(t *testing.T) {
	// A schedule stored with a TZ prefix (allowed before timeZone existed)
	// stays updatable, but not combined with timeZone.
	old := newCronJob()
	registrytest.Create(cronJobStrategy{}, old)
	old.Spec.Schedule = "TZ=UTC 0 * * * *"
	c := old.DeepCopy()
	c.Spec.Suspend = ptr(true)
	registrytest.CheckErrors(t, registrytest.Update(cronJobStrategy{}, c, old))
	c.Spec.TimeZone = ptr("UTC")
	registrytest.CheckErrors(t, registrytest.Update(cronJobStrategy{}, c, old), registrytest.WantErr{Type: field.ErrorTypeInvalid, Field: "spec.schedule"})

	// The name-length rule is for creation only.
	long := newCronJob()
	long.Name = strings.Repeat("b", 60)
	next := long.DeepCopy()
	registrytest.CheckErrors(t, registrytest.Update(cronJobStrategy{}, next, long))
}

func TestCronJobTable(t *testing.T) {
	want := []string{"Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age", "Containers*", "Images*", "Selector*"}
	if got := registrytest.ColumnNames(cronJobStrategy{}); !reflect.DeepEqual(got, want) {
		t.Errorf("columns = %v, want %v", got, want)
	}
	c := newCronJob()
	registrytest.Create(cronJobStrategy{}, c)
	registrytest.CheckTable(t, cronJobStrategy{}, c, []interface{}{"*/5 * * * *", "<none>", "False", int64(0), "<none>", "", "pi", "perl:5.34", "<none>"})
	last := metav1.NewTime(time.Now().Add(-3 * time.Minute))
	c.Spec.TimeZone = ptr("UTC")
	c.Status = batchv1.CronJobStatus{LastScheduleTime: &last, Active: []v1.ObjectReference{{Name: "hello-1"}}}
	registrytest.CheckTable(t, cronJobStrategy{}, c, []interface{}{"*/5 * * * *", "UTC", "False", int64(1), "3m", "", "pi", "perl:5.34", "<none>"})
}
