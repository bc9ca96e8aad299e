package ttlafterfinished

import (
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func finishedJob(ttl *int32, typ batchv1.JobConditionType, status corev1.ConditionStatus, at time.Time) *batchv1.Job {
	j := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "j"}}
	j.Spec.TTLSecondsAfterFinished = ttl
	if typ != "" {
		j.Status.Conditions = []batchv1.JobCondition{{Type: typ, Status: status, LastTransitionTime: metav1.NewTime(at)}}
	}
	return j
}

func TestNeedsCleanupAndTimeLeft(t *testing.T) {
	finished := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	ttl := func(s int32) *int32 { return &s }
	deleting := finishedJob(ttl(10), batchv1.JobComplete, corev1.ConditionTrue, finished)
	deleting.DeletionTimestamp = &metav1.Time{Time: finished}
	tests := []struct {
		name  string
		job   *batchv1.Job
		now   time.Time
		needs bool
		left  time.Duration
		err   bool
	}{
		{name: "no ttl", job: finishedJob(nil, batchv1.JobComplete, corev1.ConditionTrue, finished)},
		{name: "running", job: finishedJob(ttl(10), "", "", finished)},
		{name: "complete false", job: finishedJob(ttl(10), batchv1.JobComplete, corev1.ConditionFalse, finished)},
		{name: "suspended is not finished", job: finishedJob(ttl(10), batchv1.JobSuspended, corev1.ConditionTrue, finished)},
		{name: "being deleted", job: deleting},
		{name: "complete, ttl ahead", job: finishedJob(ttl(10), batchv1.JobComplete, corev1.ConditionTrue, finished),
			now: finished.Add(4 * time.Second), needs: true, left: 6 * time.Second},
		{name: "failed, ttl passed", job: finishedJob(ttl(10), batchv1.JobFailed, corev1.ConditionTrue, finished),
			now: finished.Add(15 * time.Second), needs: true, left: -5 * time.Second},
		{name: "ttl zero: due at once", job: finishedJob(ttl(0), batchv1.JobComplete, corev1.ConditionTrue, finished),
			now: finished, needs: true, left: 0},
		{name: "finished in the future (skew)", job: finishedJob(ttl(1), batchv1.JobComplete, corev1.ConditionTrue, finished),
			now: finished.Add(-time.Minute), needs: true, left: 61 * time.Second},
		{name: "no finish time", job: finishedJob(ttl(1), batchv1.JobComplete, corev1.ConditionTrue, time.Time{}),
			needs: true, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NeedsCleanup(tt.job); got != tt.needs {
				t.Fatalf("NeedsCleanup = %v, want %v", got, tt.needs)
			}
			if !tt.needs {
				return
			}
			left, err := TimeLeft(tt.job, tt.now)
			if (err != nil) != tt.err {
				t.Fatalf("TimeLeft error = %v, want error %v", err, tt.err)
			}
			if err == nil && left != tt.left {
				t.Fatalf("TimeLeft = %v, want %v", left, tt.left)
			}
		})
	}
}
