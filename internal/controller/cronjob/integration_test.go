package cronjob

import (
	"fmt"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/hanok-dev/hanok/internal/controller/controllertest"
	"github.com/hanok-dev/hanok/internal/controller/job"
	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

// clock is real time moved on by the test.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

type env struct {
	ns    string
	admin kubernetes.Interface
	cc    *Controller
	clock *clock
}

func setup(t *testing.T, outcome func(*corev1.Pod) corev1.PodPhase) *env {
	t.Helper()
	s := shared.Get(t)
	e := &env{ns: s.CreateNamespace(t), admin: s.Client(), clock: &clock{}}
	controllertest.EnsureDefaultServiceAccount(t, e.admin, e.ns)
	c := controllertest.NewContext(t, s, "cronjob-controller", e.ns)
	cc, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	cc.now = e.clock.now
	e.cc = cc
	controllertest.Run(t, c, cc)
	jctx := controllertest.NewContext(t, s, "job-controller", e.ns)
	jc, err := job.New(jctx)
	if err != nil {
		t.Fatal(err)
	}
	controllertest.Run(t, jctx, jc)
	controllertest.StartKubelet(t, &controllertest.Kubelet{Client: e.admin, Namespace: e.ns, Nodes: []string{e.ns + "-n1"}, Schedule: true, Outcome: outcome})
	return e
}

func (e *env) create(t *testing.T, name string, policy batchv1.ConcurrencyPolicy) {
	t.Helper()
	one := int32(1)
	cj := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: batchv1.CronJobSpec{
			Schedule: "* * * * *", TimeZone: ptr("Asia/Seoul"), ConcurrencyPolicy: policy,
			SuccessfulJobsHistoryLimit: &one,
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}}},
		},
	}
	if _, err := e.admin.BatchV1().CronJobs(e.ns).Create(testserver.Context(t), cj, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// tick moves the clock a minute on and wakes the controller.
func (e *env) tick(name string) {
	e.clock.advance(time.Minute)
	e.cc.loop.Queue.Add(e.ns + "/" + name)
}

func (e *env) jobs(t *testing.T) []batchv1.Job {
	t.Helper()
	list, err := e.admin.BatchV1().Jobs(e.ns).List(testserver.Context(t), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(list.Items, func(i, j int) bool { return list.Items[i].Name < list.Items[j].Name })
	return list.Items
}

func (e *env) waitJobs(t *testing.T, n int, complete int) []batchv1.Job {
	t.Helper()
	var jobs []batchv1.Job
	controllertest.Eventually(t, 20*time.Second, func() (bool, string) {
		jobs = e.jobs(t)
		done := 0
		for i := range jobs {
			if job.Finished(&jobs[i]) {
				done++
			}
		}
		return len(jobs) == n && done == complete, fmt.Sprintf("%d jobs, %d finished", len(jobs), done)
	})
	return jobs
}

func TestCronJobFiresOnSchedule(t *testing.T) {
	e := setup(t, func(*corev1.Pod) corev1.PodPhase { return corev1.PodSucceeded })
	e.create(t, "tick", batchv1.AllowConcurrent)
	// Nothing before the first scheduled minute (unless creation fell on
	// one, hence the check after a tick only).
	e.tick("tick")
	first := e.waitJobs(t, 1, 1)[0]
	if first.Annotations[ScheduledTimestampAnnotation] == "" || metav1.GetControllerOf(&first) == nil {
		t.Fatalf("job %s: annotations %v owners %v", first.Name, first.Annotations, first.OwnerReferences)
	}
	controllertest.Eventually(t, 10*time.Second, func() (bool, string) {
		cj, _ := e.admin.BatchV1().CronJobs(e.ns).Get(testserver.Context(t), "tick", metav1.GetOptions{})
		return cj.Status.LastScheduleTime != nil && cj.Status.LastSuccessfulTime != nil && len(cj.Status.Active) == 0,
			fmt.Sprintf("status %+v", cj.Status)
	})
	// The next minute: a second job, and the history limit (1) removes
	// the first.
	e.tick("tick")
	controllertest.Eventually(t, 20*time.Second, func() (bool, string) {
		jobs := e.jobs(t)
		return len(jobs) == 1 && jobs[0].Name != first.Name && job.Finished(&jobs[0]), fmt.Sprintf("%d jobs", len(jobs))
	})
}

func TestCronJobConcurrencyPolicy(t *testing.T) {
	e := setup(t, nil) // pods run for ever: jobs stay active
	e.create(t, "forbid", batchv1.ForbidConcurrent)
	e.tick("forbid")
	e.waitJobs(t, 1, 0)
	e.tick("forbid")
	// The controller says it skipped the run; only then is "one job" final.
	controllertest.Eventually(t, 30*time.Second, func() (bool, string) {
		evs, err := e.admin.CoreV1().Events(e.ns).List(testserver.Context(t), metav1.ListOptions{})
		if err != nil {
			return false, err.Error()
		}
		for _, ev := range evs.Items {
			if ev.Reason == "JobAlreadyActive" && ev.InvolvedObject.Name == "forbid" {
				return true, ""
			}
		}
		return false, "no JobAlreadyActive event"
	})
	if n := len(e.jobs(t)); n != 1 {
		t.Fatalf("Forbid: %d jobs", n)
	}

	e.create(t, "replace", batchv1.ReplaceConcurrent)
	e.tick("replace")
	var firstReplace string
	controllertest.Eventually(t, 30*time.Second, func() (bool, string) {
		for _, j := range e.jobs(t) {
			if ref := metav1.GetControllerOf(&j); ref != nil && ref.Name == "replace" {
				firstReplace = j.Name
			}
		}
		return firstReplace != "", "no job for replace"
	})
	e.tick("replace")
	controllertest.Eventually(t, 30*time.Second, func() (bool, string) {
		var names []string
		for _, j := range e.jobs(t) {
			if ref := metav1.GetControllerOf(&j); ref != nil && ref.Name == "replace" {
				names = append(names, j.Name)
			}
		}
		return len(names) == 1 && names[0] != firstReplace, fmt.Sprintf("replace jobs %v", names)
	})
}
