package job

import (
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestWantActive(t *testing.T) {
	cases := []struct {
		completions *int32
		parallelism int32
		succeeded   int32
		want        int32
	}{
		{ptr(int32(5)), 2, 0, 2},
		{ptr(int32(5)), 2, 4, 1},
		{ptr(int32(5)), 2, 5, 0},
		{ptr(int32(5)), 2, 7, 0},
		{nil, 3, 0, 3}, // work queue
		{nil, 3, 1, 0}, // work queue: one success, no new pods
	}
	for _, c := range cases {
		j := newJob("j", 0, c.parallelism)
		j.Spec.Completions = c.completions
		if got := WantActive(j, c.succeeded); got != c.want {
			t.Errorf("completions %v parallelism %d succeeded %d: got %d, want %d", c.completions, c.parallelism, c.succeeded, got, c.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	for failures, want := range map[int32]time.Duration{0: 0, 1: 10 * time.Second, 2: 20 * time.Second, 3: 40 * time.Second, 10: 6 * time.Minute} {
		if got := Backoff(failures, 10*time.Second, 6*time.Minute); got != want {
			t.Errorf("%d failures: %v, want %v", failures, got, want)
		}
	}
}

func TestOutcome(t *testing.T) {
	start := metav1.NewTime(t0)
	cases := []struct {
		name    string
		job     func(*batchv1.Job)
		st      batchv1.JobStatus
		active  int
		reason  string
		success bool
	}{
		{"running", nil, batchv1.JobStatus{Succeeded: 2}, 2, "", false},
		{"completions reached, counting uncounted", nil, batchv1.JobStatus{Succeeded: 4,
			UncountedTerminatedPods: &batchv1.UncountedTerminatedPods{Succeeded: []types.UID{"x"}}}, 0, ReasonCompletionsReached, true},
		{"backoff limit", func(j *batchv1.Job) { j.Spec.BackoffLimit = ptr(int32(1)) }, batchv1.JobStatus{Failed: 2}, 1, ReasonBackoffLimitExceeded, false},
		{"at the backoff limit: not yet", func(j *batchv1.Job) { j.Spec.BackoffLimit = ptr(int32(1)) }, batchv1.JobStatus{Failed: 1}, 1, "", false},
		{"deadline", func(j *batchv1.Job) { j.Spec.ActiveDeadlineSeconds = ptr(int64(10)) }, batchv1.JobStatus{StartTime: &start}, 1, ReasonDeadlineExceeded, false},
		{"work queue waits for the others", func(j *batchv1.Job) { j.Spec.Completions = nil }, batchv1.JobStatus{Succeeded: 1}, 1, "", false},
		{"work queue done", func(j *batchv1.Job) { j.Spec.Completions = nil }, batchv1.JobStatus{Succeeded: 1}, 0, ReasonCompletionsReached, true},
		{"indexed", func(j *batchv1.Job) { j.Spec.CompletionMode = ptr(batchv1.IndexedCompletion) }, batchv1.JobStatus{CompletedIndexes: "0-4"}, 0, ReasonCompletionsReached, true},
		{"indexed, one missing", func(j *batchv1.Job) { j.Spec.CompletionMode = ptr(batchv1.IndexedCompletion) }, batchv1.JobStatus{CompletedIndexes: "0-2,4"}, 1, "", false},
	}
	for _, c := range cases {
		j := newJob("j", 5, 2)
		if c.job != nil {
			c.job(j)
		}
		reason, _, success := Outcome(j, &c.st, c.active, t0.Add(10*time.Second))
		if reason != c.reason || success != c.success {
			t.Errorf("%s: got %q/%v, want %q/%v", c.name, reason, success, c.reason, c.success)
		}
	}
}

func failedPod(name string, exit int32, conds ...corev1.PodCondition) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", UID: types.UID(name), Finalizers: []string{TrackingFinalizer}},
		Status: corev1.PodStatus{Phase: corev1.PodFailed, Conditions: conds, ContainerStatuses: []corev1.ContainerStatus{{
			Name: "c", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: exit}}}}},
	}
}

func TestFailurePolicyAndRecording(t *testing.T) {
	j := newJob("j", 3, 1)
	j.Spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{
		{Action: batchv1.PodFailurePolicyActionIgnore, OnPodConditions: []batchv1.PodFailurePolicyOnPodConditionsPattern{{Type: corev1.DisruptionTarget}}},
		{Action: batchv1.PodFailurePolicyActionFailJob, OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{42}}},
		{Action: batchv1.PodFailurePolicyActionCount, OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpNotIn, Values: []int32{0, 42}}},
	}}
	disrupted := failedPod("disrupted", 137, corev1.PodCondition{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue})
	fatal := failedPod("fatal", 42)
	counted := failedPod("counted", 1)
	if a, _ := MatchFailurePolicy(j.Spec.PodFailurePolicy, disrupted); a == nil || *a != batchv1.PodFailurePolicyActionIgnore {
		t.Fatalf("disrupted: %v", a)
	}
	if a, msg := MatchFailurePolicy(j.Spec.PodFailurePolicy, fatal); a == nil || *a != batchv1.PodFailurePolicyActionFailJob || msg == "" {
		t.Fatalf("fatal: %v %q", a, msg)
	}
	if a, _ := MatchFailurePolicy(j.Spec.PodFailurePolicy, counted); a == nil || *a != batchv1.PodFailurePolicyActionCount {
		t.Fatalf("counted: %v", a)
	}

	ok := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "ok", UID: "ok", Finalizers: []string{TrackingFinalizer},
		Annotations: map[string]string{batchv1.JobCompletionIndexAnnotation: "1"}}, Status: corev1.PodStatus{Phase: corev1.PodSucceeded}}
	alreadyCounted := failedPod("old", 1)
	alreadyCounted.Finalizers = nil
	st := &batchv1.JobStatus{}
	failJob, ignored := recordFinished(j, st, []*corev1.Pod{disrupted, fatal, counted, ok, alreadyCounted}, nil)
	u := st.UncountedTerminatedPods
	if failJob == "" || len(ignored) != 1 || len(u.Failed) != 2 || len(u.Succeeded) != 1 {
		t.Fatalf("failJob %q ignored %d uncounted %+v", failJob, len(ignored), u)
	}
	// Recording again adds nothing.
	if _, ignoredAgain := recordFinished(j, st, []*corev1.Pod{fatal, counted, ok}, nil); len(st.UncountedTerminatedPods.Failed) != 2 || len(ignoredAgain) != 0 {
		t.Fatalf("recorded twice: %+v", st.UncountedTerminatedPods)
	}

	// A pod whose finalizer was just removed (counted) but that the
	// cache still shows with it is not new.
	st = &batchv1.JobStatus{}
	recordFinished(j, st, []*corev1.Pod{counted}, map[types.UID]bool{counted.UID: true})
	if len(st.UncountedTerminatedPods.Failed) != 0 {
		t.Fatalf("released pod recorded again: %+v", st.UncountedTerminatedPods)
	}

	j.Spec.CompletionMode = ptr(batchv1.IndexedCompletion)
	st = &batchv1.JobStatus{CompletedIndexes: "0"}
	recordFinished(j, st, []*corev1.Pod{ok}, nil)
	if st.CompletedIndexes != "0-1" {
		t.Fatalf("completed indexes %q", st.CompletedIndexes)
	}
}
