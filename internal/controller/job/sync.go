package job

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/controller/ownedpods"
)

// Condition reasons, as upstream's.
const (
	ReasonBackoffLimitExceeded = "BackoffLimitExceeded"
	ReasonDeadlineExceeded     = "DeadlineExceeded"
	ReasonPodFailurePolicy     = "PodFailurePolicy"
	ReasonCompletionsReached   = "CompletionsReached"
	ReasonSuspended            = "JobSuspended"
	ReasonResumed              = "JobResumed"
)

func (jc *Controller) sync(ctx context.Context, key string) error {
	if podKey, ok := isOrphanKey(key); ok {
		return jc.releaseOrphan(ctx, podKey)
	}
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	cached, err := jc.jobs.Jobs(ns).Get(name)
	if apierrors.IsNotFound(err) {
		jc.expectations.Delete(key)
		return nil
	}
	if err != nil {
		return err
	}
	job := cached.DeepCopy()
	needsSync := jc.expectations.Satisfied(key)
	pods, err := jc.claimPods(ctx, job)
	if err != nil {
		return err
	}
	if Finished(job) {
		// Counted already: only stray finalizers are left to drop.
		var errs []error
		for _, pod := range pods {
			if hasFinalizer(pod) {
				errs = append(errs, jc.removeFinalizer(ctx, pod))
			}
		}
		return errors.Join(errs...)
	}
	now := jc.now()
	st := job.Status.DeepCopy()

	// 1. Record newly finished pods as uncounted; drop the finalizers of
	// ignored failures; then count what lost its finalizer.
	released := jc.released.pending(key, pods)
	failJob, ignored := recordFinished(job, st, pods, released)
	if u := st.UncountedTerminatedPods; job.Status.UncountedTerminatedPods == nil && len(u.Succeeded)+len(u.Failed) == 0 {
		st.UncountedTerminatedPods = nil // nothing new: no write
	}
	if !apiequality.Semantic.DeepEqual(st.UncountedTerminatedPods, job.Status.UncountedTerminatedPods) ||
		st.CompletedIndexes != job.Status.CompletedIndexes {
		if failJob != "" && condition(st, batchv1.JobFailureTarget) == nil {
			setCondition(st, batchv1.JobFailureTarget, ReasonPodFailurePolicy, failJob, now)
		}
		if err := jc.writeStatus(ctx, job, st); err != nil {
			return err
		}
		st = job.Status.DeepCopy()
	}
	if err := jc.countUncounted(ctx, key, job, st, pods, ignored); err != nil {
		return err
	}

	// 2. Decide the outcome.
	var active, terminating []*corev1.Pod
	for _, pod := range pods {
		switch {
		case IsActive(pod):
			active = append(active, pod)
		case IsTerminating(pod):
			terminating = append(terminating, pod)
		}
	}
	if failJob != "" && condition(st, batchv1.JobFailureTarget) == nil {
		setCondition(st, batchv1.JobFailureTarget, ReasonPodFailurePolicy, failJob, now)
	}
	if condition(st, batchv1.JobFailureTarget) == nil && condition(st, batchv1.JobSuccessCriteriaMet) == nil {
		reason, msg, success := Outcome(job, st, len(active), now)
		switch {
		case success:
			setCondition(st, batchv1.JobSuccessCriteriaMet, reason, msg, now)
		case reason != "":
			setCondition(st, batchv1.JobFailureTarget, reason, msg, now)
		}
	}

	var manageErr error
	activeCount := int32(len(active))
	switch {
	case condition(st, batchv1.JobFailureTarget) != nil || condition(st, batchv1.JobSuccessCriteriaMet) != nil:
		// Ending: stop what runs, then finish once nothing runs.
		deleted, err := jc.deletePods(ctx, key, job, active)
		manageErr = err
		activeCount -= deleted
		uncounted := st.UncountedTerminatedPods
		if len(active) == 0 && len(terminating) == 0 && (uncounted == nil || len(uncounted.Succeeded)+len(uncounted.Failed) == 0) {
			jc.finish(job, st, now)
		}
	case job.Spec.Suspend != nil && *job.Spec.Suspend:
		deleted, err := jc.deletePods(ctx, key, job, active)
		manageErr = err
		activeCount -= deleted
		if c := condition(st, batchv1.JobSuspended); c == nil || c.Status != corev1.ConditionTrue {
			setConditionStatus(st, batchv1.JobSuspended, corev1.ConditionTrue, ReasonSuspended, "Job suspended", now)
			jc.recorder.Event(job, corev1.EventTypeNormal, "Suspended", "Job suspended")
		}
	default:
		if c := condition(st, batchv1.JobSuspended); c != nil && c.Status == corev1.ConditionTrue {
			setConditionStatus(st, batchv1.JobSuspended, corev1.ConditionFalse, ReasonResumed, "Job resumed", now)
			st.StartTime = nil // the active deadline counts from the resume
			jc.recorder.Event(job, corev1.EventTypeNormal, "Resumed", "Job resumed")
		}
		if st.StartTime == nil {
			t := metav1.NewTime(now)
			st.StartTime = &t
		}
		if needsSync {
			var delta int32
			delta, manageErr = jc.managePods(ctx, key, job, st, pods, active, now)
			activeCount += delta
		}
		if d := job.Spec.ActiveDeadlineSeconds; d != nil {
			left := st.StartTime.Add(time.Duration(*d) * time.Second).Sub(now)
			jc.loop.Queue.AddAfter(key, max(left, 0)+10*time.Millisecond)
		}
	}

	st.Active = activeCount
	var ready int32
	for _, pod := range active {
		if isReady(pod) {
			ready++
		}
	}
	st.Ready = &ready
	t := int32(len(terminating))
	st.Terminating = &t
	if !apiequality.Semantic.DeepEqual(*st, job.Status) {
		if err := jc.writeStatus(ctx, job, st); err != nil {
			return errors.Join(manageErr, err)
		}
	}
	return manageErr
}

// claimPods adopts and releases pods by job's selector; it returns the
// job's pods, finished ones included.
func (jc *Controller) claimPods(ctx context.Context, job *batchv1.Job) ([]*corev1.Pod, error) {
	sel, err := metav1.LabelSelectorAsSelector(job.Spec.Selector)
	if err != nil || sel.Empty() {
		return nil, fmt.Errorf("job %s/%s has an unusable selector: %v", job.Namespace, job.Name, err)
	}
	all, err := jc.pods.Pods(job.Namespace).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	claimer := ownedpods.PodClaimer(jc.client, job, jobKind, sel, func(ctx context.Context) (metav1.Object, error) {
		return jc.client.BatchV1().Jobs(job.Namespace).Get(ctx, job.Name, metav1.GetOptions{})
	})
	return claimer.Claim(ctx, all)
}

// recordFinished adds job's newly finished pods (still holding the
// tracking finalizer, not yet in uncountedTerminatedPods) to st's
// uncounted lists and, for Indexed jobs, succeeded indexes to
// completedIndexes. It returns the FailJob message of the first failure
// a podFailurePolicy rule says fails the job, and the failed pods a rule
// says to ignore (not counted at all).
//
// released are pods whose finalizer this controller already removed (so
// counted) while the cache still shows it: they are not new.
func recordFinished(job *batchv1.Job, st *batchv1.JobStatus, pods []*corev1.Pod, released map[types.UID]bool) (failJob string, ignored []*corev1.Pod) {
	if st.UncountedTerminatedPods == nil {
		st.UncountedTerminatedPods = &batchv1.UncountedTerminatedPods{}
	}
	u := st.UncountedTerminatedPods
	seen := map[types.UID]bool{}
	for _, uid := range append(append([]types.UID(nil), u.Succeeded...), u.Failed...) {
		seen[uid] = true
	}
	indexed := isIndexed(job)
	completed := ParseIndexes(st.CompletedIndexes, completions(job))
	sorted := append([]*corev1.Pod(nil), pods...)
	sort.SliceStable(sorted, func(i, j int) bool { return finishedAt(sorted[i]).Before(finishedAt(sorted[j])) })
	for _, pod := range sorted {
		if !hasFinalizer(pod) || seen[pod.UID] || released[pod.UID] {
			continue
		}
		switch {
		case IsSucceeded(pod):
			u.Succeeded = append(u.Succeeded, pod.UID)
			if ix := Index(pod); indexed && ix >= 0 && ix < completions(job) {
				completed[ix] = true
			}
		case IsFailed(pod):
			var action *batchv1.PodFailurePolicyAction
			var msg string
			if pod.Status.Phase == corev1.PodFailed {
				action, msg = MatchFailurePolicy(job.Spec.PodFailurePolicy, pod)
			}
			switch {
			case action != nil && *action == batchv1.PodFailurePolicyActionIgnore:
				ignored = append(ignored, pod)
				continue
			case action != nil && *action == batchv1.PodFailurePolicyActionFailJob && failJob == "":
				failJob = msg
			}
			u.Failed = append(u.Failed, pod.UID)
		}
	}
	if indexed {
		st.CompletedIndexes = completed.String()
	}
	return failJob, ignored
}

// countUncounted drops the finalizers of st's uncounted pods (and of
// ignored ones), then moves every uncounted pod whose finalizer is gone
// into the counters, and writes the status.
func (jc *Controller) countUncounted(ctx context.Context, key string, job *batchv1.Job, st *batchv1.JobStatus, pods []*corev1.Pod, ignored []*corev1.Pod) error {
	u := st.UncountedTerminatedPods
	if u == nil || len(u.Succeeded)+len(u.Failed)+len(ignored) == 0 {
		return nil
	}
	byUID := map[types.UID]*corev1.Pod{}
	for _, pod := range pods {
		byUID[pod.UID] = pod
	}
	released := map[types.UID]bool{}
	var errs []error
	for _, uid := range append(append([]types.UID(nil), u.Succeeded...), u.Failed...) {
		pod, ok := byUID[uid]
		if !ok || !hasFinalizer(pod) {
			released[uid] = true
			continue
		}
		if err := jc.removeFinalizer(ctx, pod); err != nil {
			errs = append(errs, err)
			continue
		}
		jc.released.add(key, uid)
		released[uid] = true
	}
	for _, pod := range ignored {
		if err := jc.removeFinalizer(ctx, pod); err != nil {
			errs = append(errs, err)
			continue
		}
		jc.released.add(key, pod.UID)
	}
	var succeeded, failed []types.UID
	for _, uid := range u.Succeeded {
		if !released[uid] {
			succeeded = append(succeeded, uid)
		} else if !isIndexed(job) {
			st.Succeeded++
		}
	}
	for _, uid := range u.Failed {
		if !released[uid] {
			failed = append(failed, uid)
		} else {
			st.Failed++
		}
	}
	if isIndexed(job) {
		st.Succeeded = int32(len(ParseIndexes(st.CompletedIndexes, completions(job))))
	}
	u.Succeeded, u.Failed = succeeded, failed
	if !apiequality.Semantic.DeepEqual(*st, job.Status) {
		if err := jc.writeStatus(ctx, job, st); err != nil {
			errs = append(errs, err)
		}
		*st = *job.Status.DeepCopy()
	}
	return errors.Join(errs...)
}

// Outcome says whether job has met its success criteria (success) or a
// failure criterion (reason set, success false), given its counted
// status and how many pods run; reason "" with success false: neither.
func Outcome(job *batchv1.Job, st *batchv1.JobStatus, active int, now time.Time) (reason, message string, success bool) {
	var uncountedOK, uncountedFailed int32
	if u := st.UncountedTerminatedPods; u != nil {
		uncountedOK, uncountedFailed = int32(len(u.Succeeded)), int32(len(u.Failed))
	}
	failed := st.Failed + uncountedFailed
	backoffLimit := int32(6)
	if job.Spec.BackoffLimit != nil {
		backoffLimit = *job.Spec.BackoffLimit
	}
	if failed > backoffLimit {
		return ReasonBackoffLimitExceeded, "Job has reached the specified backoff limit", false
	}
	if d := job.Spec.ActiveDeadlineSeconds; d != nil && st.StartTime != nil && !now.Before(st.StartTime.Add(time.Duration(*d)*time.Second)) {
		return ReasonDeadlineExceeded, "Job was active longer than specified deadline", false
	}
	reached := "Reached expected number of succeeded pods"
	if isIndexed(job) {
		if len(ParseIndexes(st.CompletedIndexes, completions(job))) >= completions(job) {
			return ReasonCompletionsReached, reached, true
		}
		return "", "", false
	}
	succeeded := st.Succeeded
	if !isIndexed(job) {
		succeeded += uncountedOK
	}
	if job.Spec.Completions == nil {
		if succeeded > 0 && active == 0 {
			return ReasonCompletionsReached, reached, true
		}
		return "", "", false
	}
	if succeeded >= *job.Spec.Completions {
		return ReasonCompletionsReached, reached, true
	}
	return "", "", false
}

// finish turns the target condition into the final one.
func (jc *Controller) finish(job *batchv1.Job, st *batchv1.JobStatus, now time.Time) {
	if c := condition(st, batchv1.JobFailureTarget); c != nil {
		setCondition(st, batchv1.JobFailed, c.Reason, c.Message, now)
		jc.recorder.Event(job, corev1.EventTypeWarning, c.Reason, c.Message)
		return
	}
	c := condition(st, batchv1.JobSuccessCriteriaMet)
	setCondition(st, batchv1.JobComplete, c.Reason, c.Message, now)
	t := metav1.NewTime(now)
	st.CompletionTime = &t
	jc.recorder.Event(job, corev1.EventTypeNormal, "Completed", "Job completed")
}

func (jc *Controller) writeStatus(ctx context.Context, job *batchv1.Job, st *batchv1.JobStatus) error {
	c := job.DeepCopy()
	c.Status = *st
	updated, err := jc.client.BatchV1().Jobs(job.Namespace).UpdateStatus(ctx, c, metav1.UpdateOptions{})
	if err != nil {
		return fmt.Errorf("updating status of job %s/%s: %w", job.Namespace, job.Name, err)
	}
	job.ResourceVersion = updated.ResourceVersion
	job.Status = updated.Status
	return nil
}

func isIndexed(job *batchv1.Job) bool {
	return job.Spec.CompletionMode != nil && *job.Spec.CompletionMode == batchv1.IndexedCompletion
}

func completions(job *batchv1.Job) int {
	if job.Spec.Completions == nil {
		return 0
	}
	return int(*job.Spec.Completions)
}

func isReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// Finished says whether job has its Complete or Failed condition.
func Finished(job *batchv1.Job) bool {
	for _, c := range job.Status.Conditions {
		if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

func condition(st *batchv1.JobStatus, t batchv1.JobConditionType) *batchv1.JobCondition {
	for i := range st.Conditions {
		if st.Conditions[i].Type == t && st.Conditions[i].Status == corev1.ConditionTrue {
			return &st.Conditions[i]
		}
	}
	return nil
}

func setCondition(st *batchv1.JobStatus, t batchv1.JobConditionType, reason, message string, now time.Time) {
	setConditionStatus(st, t, corev1.ConditionTrue, reason, message, now)
}

func setConditionStatus(st *batchv1.JobStatus, t batchv1.JobConditionType, status corev1.ConditionStatus, reason, message string, now time.Time) {
	ts := metav1.NewTime(now)
	for i := range st.Conditions {
		c := &st.Conditions[i]
		if c.Type != t {
			continue
		}
		if c.Status != status {
			c.LastTransitionTime = ts
		}
		c.Status, c.Reason, c.Message, c.LastProbeTime = status, reason, message, ts
		return
	}
	st.Conditions = append(st.Conditions, batchv1.JobCondition{Type: t, Status: status, Reason: reason, Message: message,
		LastProbeTime: ts, LastTransitionTime: ts})
}
