package ttlafterfinished

import (
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// NeedsCleanup says whether job is the controller's business at all: it
// has a TTL, has finished, and is not already being deleted.
func NeedsCleanup(job *batchv1.Job) bool {
	if job.DeletionTimestamp != nil || job.Spec.TTLSecondsAfterFinished == nil {
		return false
	}
	_, finished := finishCondition(job)
	return finished
}

// FinishTime is when job finished: the last transition of its True
// Complete or Failed condition. A finished Job whose condition carries no
// time is an error (the TTL cannot be counted from it).
func FinishTime(job *batchv1.Job) (time.Time, error) {
	c, ok := finishCondition(job)
	if !ok {
		return time.Time{}, fmt.Errorf("job %s/%s has not finished", job.Namespace, job.Name)
	}
	if c.LastTransitionTime.IsZero() {
		return time.Time{}, fmt.Errorf("unable to find the time when the Job %s/%s finished", job.Namespace, job.Name)
	}
	return c.LastTransitionTime.UTC(), nil
}

// TimeLeft is how long until job's TTL runs out, seen at now (zero or
// less: it has). Call it only for a Job that NeedsCleanup.
func TimeLeft(job *batchv1.Job, now time.Time) (time.Duration, error) {
	finished, err := FinishTime(job)
	if err != nil {
		return 0, err
	}
	expireAt := finished.Add(time.Duration(*job.Spec.TTLSecondsAfterFinished) * time.Second)
	return expireAt.Sub(now), nil
}

func finishCondition(job *batchv1.Job) (batchv1.JobCondition, bool) {
	for _, c := range job.Status.Conditions {
		if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
			return c, true
		}
	}
	return batchv1.JobCondition{}, false
}
