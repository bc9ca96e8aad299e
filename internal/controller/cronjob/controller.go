package cronjob

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/sirupsen/logrus"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	batchlisters "k8s.io/client-go/listers/batch/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"

	"github.com/hanok-dev/hanok/internal/controller"
	"github.com/hanok-dev/hanok/internal/controller/ownedpods"
)

var cronJobKind = batchv1.SchemeGroupVersion.WithKind("CronJob")

// ScheduledTimestampAnnotation records on a Job the time it was
// scheduled for, as upstream.
const ScheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp"

// Controller runs CronJobs.
type Controller struct {
	client   kubernetes.Interface
	cronJobs batchlisters.CronJobLister
	jobs     batchlisters.JobLister
	synced   []cache.InformerSynced
	recorder record.EventRecorder
	loop     *controller.Loop
	log      *logrus.Entry
	now      func() time.Time
}

// New is the CronJob controller (service account cronjob-controller).
func New(c controller.Context) (*Controller, error) {
	cjs := c.Informers.Batch().V1().CronJobs()
	jobs := c.Informers.Batch().V1().Jobs()
	cc := &Controller{
		client:   c.Client,
		cronJobs: cjs.Lister(),
		jobs:     jobs.Lister(),
		synced:   []cache.InformerSynced{cjs.Informer().HasSynced, jobs.Informer().HasSynced},
		recorder: c.Recorder,
		log:      logrus.WithField("component", "cronjob-controller"),
		now:      time.Now,
	}
	cc.loop = controller.NewLoop("cronjob-controller", cc.sync)
	_, _ = cjs.Informer().AddEventHandler(cc.loop.Handlers())
	wake := func(obj any) {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		job, ok := obj.(*batchv1.Job)
		if !ok {
			return
		}
		if ref := metav1.GetControllerOfNoCopy(job); ref != nil && ref.Kind == cronJobKind.Kind {
			cc.loop.Queue.Add(job.Namespace + "/" + ref.Name)
		}
	}
	_, _ = jobs.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: wake, UpdateFunc: func(_, cur any) { wake(cur) }, DeleteFunc: wake,
	})
	return cc, nil
}

// Run implements controller.Controller.
func (cc *Controller) Run(ctx context.Context, workers int) {
	cc.loop.Run(ctx, workers, cc.synced...)
}

func (cc *Controller) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	cached, err := cc.cronJobs.CronJobs(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	cj := cached.DeepCopy()
	all, err := cc.jobs.Jobs(ns).List(labels.Everything())
	if err != nil {
		return err
	}
	var jobs []*batchv1.Job
	for _, j := range all {
		if ref := metav1.GetControllerOfNoCopy(j); ref != nil && ref.UID == cj.UID {
			jobs = append(jobs, j)
		}
	}
	now := cc.now()
	st := cj.Status.DeepCopy()
	active := trackJobs(cj, st, jobs)
	for _, j := range jobs {
		if wasActive(&cj.Status, j) && finished(j) {
			cc.recorder.Eventf(cj, corev1.EventTypeNormal, "SawCompletedJob", "Saw completed job: %s, condition: %s", j.Name, finishedType(j))
		}
	}
	var errs []error
	if cj.DeletionTimestamp == nil {
		errs = append(errs, cc.pruneHistory(ctx, cj, jobs))
	}

	sched, err := Schedule(cj)
	if err != nil {
		cc.recorder.Eventf(cj, corev1.EventTypeWarning, "InvalidSchedule", "invalid schedule: %v", err)
		return errors.Join(append(errs, cc.writeStatus(ctx, cj, st))...)
	}
	if cj.DeletionTimestamp == nil && (cj.Spec.Suspend == nil || !*cj.Spec.Suspend) {
		due, missed := Due(sched, Earliest(cj, now), now)
		if missed > tooMany {
			cc.recorder.Eventf(cj, corev1.EventTypeWarning, "TooManyMissedTimes",
				"too many missed start times: %d or more. Set or decrease .spec.startingDeadlineSeconds or check clock skew", tooMany)
		}
		if due != nil {
			if err := cc.run(ctx, cj, st, active, *due); err != nil {
				errs = append(errs, err)
			}
		}
		cc.loop.Queue.AddAfter(key, sched.Next(now).Sub(now)+100*time.Millisecond)
	}
	errs = append(errs, cc.writeStatus(ctx, cj, st))
	return errors.Join(errs...)
}

// trackJobs brings st's active list and lastSuccessfulTime in line with
// cj's jobs and returns the jobs still running.
func trackJobs(cj *batchv1.CronJob, st *batchv1.CronJobStatus, jobs []*batchv1.Job) []*batchv1.Job {
	var active []*batchv1.Job
	st.Active = nil
	for _, j := range jobs {
		if finished(j) {
			if j.Status.CompletionTime != nil && finishedType(j) == batchv1.JobComplete &&
				(st.LastSuccessfulTime == nil || st.LastSuccessfulTime.Before(j.Status.CompletionTime)) {
				t := *j.Status.CompletionTime
				st.LastSuccessfulTime = &t
			}
			continue
		}
		active = append(active, j)
		st.Active = append(st.Active, corev1.ObjectReference{Kind: "Job", APIVersion: "batch/v1",
			Namespace: j.Namespace, Name: j.Name, UID: j.UID, ResourceVersion: j.ResourceVersion})
	}
	sort.Slice(st.Active, func(a, b int) bool { return st.Active[a].Name < st.Active[b].Name })
	return active
}

// run starts the Job for scheduled, as the concurrency policy allows.
func (cc *Controller) run(ctx context.Context, cj *batchv1.CronJob, st *batchv1.CronJobStatus, active []*batchv1.Job, scheduled time.Time) error {
	name := JobName(cj, scheduled)
	for _, j := range active {
		if j.Name == name {
			return nil // this run is already going
		}
	}
	switch cj.Spec.ConcurrencyPolicy {
	case batchv1.ForbidConcurrent:
		if len(active) > 0 {
			cc.recorder.Eventf(cj, corev1.EventTypeNormal, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid")
			return nil
		}
	case batchv1.ReplaceConcurrent:
		for _, j := range active {
			if err := cc.deleteJob(ctx, cj, j); err != nil {
				return err
			}
			cc.recorder.Eventf(cj, corev1.EventTypeNormal, "SuccessfulDelete", "Deleted job %s", j.Name)
		}
		st.Active = nil
	}
	job := JobFromTemplate(cj, scheduled)
	created, err := cc.client.BatchV1().Jobs(cj.Namespace).Create(ctx, job, metav1.CreateOptions{})
	switch {
	case apierrors.IsAlreadyExists(err):
		// Made by an earlier attempt (the cache has not shown it yet),
		// or by another CronJob of this name: check it is ours.
		existing, getErr := cc.client.BatchV1().Jobs(cj.Namespace).Get(ctx, name, metav1.GetOptions{})
		if getErr != nil {
			return getErr
		}
		if ref := metav1.GetControllerOfNoCopy(existing); ref == nil || ref.UID != cj.UID {
			return fmt.Errorf("job %s exists and is not this cronjob's", name)
		}
		created = existing
	case err != nil:
		cc.recorder.Eventf(cj, corev1.EventTypeWarning, "FailedCreate", "Error creating job: %v", err)
		return err
	default:
		cc.recorder.Eventf(cj, corev1.EventTypeNormal, "SuccessfulCreate", "Created job %s", created.Name)
	}
	st.Active = append(st.Active, corev1.ObjectReference{Kind: "Job", APIVersion: "batch/v1",
		Namespace: created.Namespace, Name: created.Name, UID: created.UID, ResourceVersion: created.ResourceVersion})
	t := metav1.NewTime(scheduled)
	st.LastScheduleTime = &t
	return nil
}

// JobFromTemplate is cj's Job for scheduled.
func JobFromTemplate(cj *batchv1.CronJob, scheduled time.Time) *batchv1.Job {
	t := cj.Spec.JobTemplate.DeepCopy()
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{
			Name:            JobName(cj, scheduled),
			Namespace:       cj.Namespace,
			Labels:          t.Labels,
			Annotations:     t.Annotations,
			OwnerReferences: []metav1.OwnerReference{ownedpods.ControllerRef(cj, cronJobKind)},
		},
		Spec: t.Spec,
	}
	if job.Annotations == nil {
		job.Annotations = map[string]string{}
	}
	job.Annotations[ScheduledTimestampAnnotation] = scheduled.Format(time.RFC3339)
	return job
}

// pruneHistory deletes the oldest finished Jobs beyond the history
// limits (3 successful, 1 failed by default).
func (cc *Controller) pruneHistory(ctx context.Context, cj *batchv1.CronJob, jobs []*batchv1.Job) error {
	limit := func(p *int32, def int32) int {
		if p == nil {
			return int(def)
		}
		return int(*p)
	}
	var ok, failed []*batchv1.Job
	for _, j := range jobs {
		switch finishedType(j) {
		case batchv1.JobComplete:
			ok = append(ok, j)
		case batchv1.JobFailed:
			failed = append(failed, j)
		}
	}
	var errs []error
	for _, doomed := range [][]*batchv1.Job{
		Oldest(ok, limit(cj.Spec.SuccessfulJobsHistoryLimit, 3)),
		Oldest(failed, limit(cj.Spec.FailedJobsHistoryLimit, 1)),
	} {
		for _, j := range doomed {
			errs = append(errs, cc.deleteJob(ctx, cj, j))
		}
	}
	return errors.Join(errs...)
}

// Oldest are the jobs beyond the keep newest (by start, then creation).
func Oldest(jobs []*batchv1.Job, keep int) []*batchv1.Job {
	if len(jobs) <= keep {
		return nil
	}
	sorted := append([]*batchv1.Job(nil), jobs...)
	sort.Slice(sorted, func(a, b int) bool {
		ta, tb := startOf(sorted[a]), startOf(sorted[b])
		if !ta.Equal(tb) {
			return ta.Before(tb)
		}
		return sorted[a].Name < sorted[b].Name
	})
	return sorted[:len(sorted)-keep]
}

func startOf(j *batchv1.Job) time.Time {
	if j.Status.StartTime != nil {
		return j.Status.StartTime.Time
	}
	return j.CreationTimestamp.Time
}

func (cc *Controller) deleteJob(ctx context.Context, cj *batchv1.CronJob, j *batchv1.Job) error {
	background := metav1.DeletePropagationBackground
	err := cc.client.BatchV1().Jobs(j.Namespace).Delete(ctx, j.Name, metav1.DeleteOptions{
		PropagationPolicy: &background, Preconditions: &metav1.Preconditions{UID: &j.UID}})
	if err != nil && !apierrors.IsNotFound(err) {
		cc.recorder.Eventf(cj, corev1.EventTypeWarning, "FailedDelete", "Deleted job: %v", err)
		return fmt.Errorf("deleting job %s: %w", j.Name, err)
	}
	return nil
}

func (cc *Controller) writeStatus(ctx context.Context, cj *batchv1.CronJob, st *batchv1.CronJobStatus) error {
	if apiequality.Semantic.DeepEqual(*st, cj.Status) {
		return nil
	}
	c := cj.DeepCopy()
	c.Status = *st
	_, err := cc.client.BatchV1().CronJobs(cj.Namespace).UpdateStatus(ctx, c, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

func finishedType(j *batchv1.Job) batchv1.JobConditionType {
	for _, c := range j.Status.Conditions {
		if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
			return c.Type
		}
	}
	return ""
}

func finished(j *batchv1.Job) bool { return finishedType(j) != "" }

func wasActive(st *batchv1.CronJobStatus, j *batchv1.Job) bool {
	for _, ref := range st.Active {
		if ref.UID == j.UID {
			return true
		}
	}
	return false
}
