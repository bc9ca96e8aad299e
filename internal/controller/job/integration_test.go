package job

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/hanok-dev/hanok/internal/controller/controllertest"
	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

type env struct {
	ns    string
	admin kubernetes.Interface
}

// setup runs the job controller (with a short back-off) and a fake
// kubelet whose pods end as outcome says.
func setup(t *testing.T, outcome func(*corev1.Pod) corev1.PodPhase) env {
	t.Helper()
	s := shared.Get(t)
	e := env{ns: s.CreateNamespace(t), admin: s.Client()}
	controllertest.EnsureDefaultServiceAccount(t, e.admin, e.ns)
	c := controllertest.NewContext(t, s, "job-controller", e.ns)
	jc, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	jc.backoff = 10 * time.Millisecond
	controllertest.Run(t, c, jc)
	controllertest.StartKubelet(t, &controllertest.Kubelet{Client: e.admin, Namespace: e.ns, Nodes: []string{e.ns + "-n1"}, Schedule: true, Outcome: outcome})
	return e
}

func newJob(name string, completions, parallelism int32) *batchv1.Job {
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: batchv1.JobSpec{
			Completions: &completions, Parallelism: &parallelism,
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever,
				Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}},
		},
	}
}

func (e env) waitCondition(t *testing.T, name string, cond batchv1.JobConditionType) *batchv1.Job {
	t.Helper()
	var job *batchv1.Job
	controllertest.Eventually(t, 20*time.Second, func() (bool, string) {
		var err error
		job, err = e.admin.BatchV1().Jobs(e.ns).Get(testserver.Context(t), name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		for _, c := range job.Status.Conditions {
			if c.Type == cond && c.Status == corev1.ConditionTrue {
				return true, ""
			}
		}
		return false, fmt.Sprintf("status %+v", job.Status)
	})
	return job
}

func (e env) pods(t *testing.T) []corev1.Pod {
	t.Helper()
	list, err := e.admin.CoreV1().Pods(e.ns).List(testserver.Context(t), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return list.Items
}

func TestJobCompletions(t *testing.T) {
	e := setup(t, func(*corev1.Pod) corev1.PodPhase { return corev1.PodSucceeded })
	ctx := testserver.Context(t)
	// Watch that parallelism holds: never more than 2 pods unfinished.
	w, err := e.admin.CoreV1().Pods(e.ns).Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	peak := atomic.Int32{}
	unfinished := map[string]bool{}
	go func() {
		for ev := range w.ResultChan() {
			pod, ok := ev.Object.(*corev1.Pod)
			if !ok {
				continue
			}
			if IsActive(pod) && ev.Type != "DELETED" {
				unfinished[pod.Name] = true
			} else {
				delete(unfinished, pod.Name)
			}
			if n := int32(len(unfinished)); n > peak.Load() {
				peak.Store(n)
			}
		}
	}()

	if _, err := e.admin.BatchV1().Jobs(e.ns).Create(ctx, newJob("pi", 5, 2), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	job := e.waitCondition(t, "pi", batchv1.JobComplete)
	if job.Status.Succeeded != 5 || job.Status.Failed != 0 || job.Status.Active != 0 || job.Status.CompletionTime == nil || job.Status.StartTime == nil {
		t.Fatalf("status %+v", job.Status)
	}
	pods := e.pods(t)
	if len(pods) != 5 {
		t.Fatalf("%d pods, want exactly 5", len(pods))
	}
	for _, p := range pods {
		if hasFinalizer(&p) {
			t.Fatalf("pod %s still holds the tracking finalizer", p.Name)
		}
	}
	if p := peak.Load(); p > 2 {
		t.Fatalf("%d pods unfinished at once, parallelism is 2", p)
	}
}

func TestJobBackoffLimit(t *testing.T) {
	e := setup(t, func(*corev1.Pod) corev1.PodPhase { return corev1.PodFailed })
	ctx := testserver.Context(t)
	j := newJob("fails", 1, 1)
	j.Spec.BackoffLimit = ptr(int32(2))
	if _, err := e.admin.BatchV1().Jobs(e.ns).Create(ctx, j, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	job := e.waitCondition(t, "fails", batchv1.JobFailed)
	if job.Status.Failed != 3 || reasonOf(job, batchv1.JobFailed) != ReasonBackoffLimitExceeded {
		t.Fatalf("status %+v", job.Status)
	}
	if n := len(e.pods(t)); n != 3 {
		t.Fatalf("%d pods, want 3 (backoffLimit 2 + 1)", n)
	}
}

func TestJobIndexed(t *testing.T) {
	e := setup(t, func(*corev1.Pod) corev1.PodPhase { return corev1.PodSucceeded })
	ctx := testserver.Context(t)
	j := newJob("idx", 4, 2)
	j.Spec.CompletionMode = ptr(batchv1.IndexedCompletion)
	if _, err := e.admin.BatchV1().Jobs(e.ns).Create(ctx, j, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	job := e.waitCondition(t, "idx", batchv1.JobComplete)
	if job.Status.CompletedIndexes != "0-3" || job.Status.Succeeded != 4 {
		t.Fatalf("status %+v", job.Status)
	}
	seen := map[string]bool{}
	for _, p := range e.pods(t) {
		ix := p.Annotations[batchv1.JobCompletionIndexAnnotation]
		if seen[ix] || !strings.HasPrefix(p.Name, "idx-"+ix+"-") || p.Spec.Hostname != "idx-"+ix {
			t.Fatalf("pod %s index %s hostname %s", p.Name, ix, p.Spec.Hostname)
		}
		seen[ix] = true
	}
}

func TestJobPodFailurePolicyFailJob(t *testing.T) {
	e := setup(t, func(*corev1.Pod) corev1.PodPhase { return corev1.PodFailed }) // exit code 1
	ctx := testserver.Context(t)
	j := newJob("pfp", 3, 1)
	j.Spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{
		Action:      batchv1.PodFailurePolicyActionFailJob,
		OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{1}},
	}}}
	if _, err := e.admin.BatchV1().Jobs(e.ns).Create(ctx, j, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	job := e.waitCondition(t, "pfp", batchv1.JobFailed)
	if reasonOf(job, batchv1.JobFailed) != ReasonPodFailurePolicy || job.Status.Failed != 1 {
		t.Fatalf("status %+v", job.Status)
	}
}

func TestJobActiveDeadline(t *testing.T) {
	e := setup(t, nil) // pods run for ever
	ctx := testserver.Context(t)
	j := newJob("slow", 1, 1)
	j.Spec.ActiveDeadlineSeconds = ptr(int64(1))
	if _, err := e.admin.BatchV1().Jobs(e.ns).Create(ctx, j, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	job := e.waitCondition(t, "slow", batchv1.JobFailed)
	if reasonOf(job, batchv1.JobFailed) != ReasonDeadlineExceeded || job.Status.Active != 0 {
		t.Fatalf("status %+v", job.Status)
	}
	controllertest.Eventually(t, 10*time.Second, func() (bool, string) {
		n := len(e.pods(t))
		return n == 0, fmt.Sprintf("%d pods left", n)
	})
}

func reasonOf(job *batchv1.Job, t batchv1.JobConditionType) string {
	for _, c := range job.Status.Conditions {
		if c.Type == t {
			return c.Reason
		}
	}
	return ""
}

func ptr[T any](v T) *T { return &v }
