package ttlafterfinished_test

import (
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/hanok-dev/hanok/internal/controller/controllertest"
	"github.com/hanok-dev/hanok/internal/controller/ttlafterfinished"
	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

// createFinishedJob creates a Job with ttl and marks it Complete, as the
// Job controller would.
func createFinishedJob(t *testing.T, admin kubernetes.Interface, ns, name string, ttl int32) {
	t.Helper()
	ctx := testserver.Context(t)
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: batchv1.JobSpec{
			TTLSecondsAfterFinished: &ttl,
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever,
				Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}},
		},
	}
	created, err := admin.BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	now := metav1.Now()
	created.Status.StartTime = &now
	created.Status.CompletionTime = &now
	created.Status.Succeeded = 1
	created.Status.Conditions = []batchv1.JobCondition{
		{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, LastTransitionTime: now, LastProbeTime: now},
		{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, LastTransitionTime: now, LastProbeTime: now},
	}
	if _, err := admin.BatchV1().Jobs(ns).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestFinishedJobDeletedAfterTTL(t *testing.T) {
	s := shared.Get(t)
	ns := s.CreateNamespace(t)
	admin := s.Client()
	ctx := testserver.Context(t)
	c := controllertest.NewContext(t, s, ttlafterfinished.Name, ns)
	tc, err := ttlafterfinished.New(c)
	if err != nil {
		t.Fatal(err)
	}
	controllertest.Run(t, c, tc)

	createFinishedJob(t, admin, ns, "long", 3600)
	createFinishedJob(t, admin, ns, "short", 1)
	// A running Job with a TTL is left alone.
	running := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "running"}, Spec: batchv1.JobSpec{
		TTLSecondsAfterFinished: ptr(int32(0)),
		Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever,
			Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}}}
	if _, err := admin.BatchV1().Jobs(ns).Create(ctx, running, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	// Deleted in the foreground: with no garbage collector running here,
	// the Job stays with its deletionTimestamp and the foregroundDeletion
	// finalizer the collector would remove once its pods are gone.
	controllertest.Eventually(t, 15*time.Second, func() (bool, string) {
		job, err := admin.BatchV1().Jobs(ns).Get(ctx, "short", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, ""
		}
		return err == nil && job.DeletionTimestamp != nil && slices.Contains(job.Finalizers, metav1.FinalizerDeleteDependents),
			fmt.Sprint("short job not deleted in the foreground: ", err)
	})
	for _, name := range []string{"long", "running"} {
		if _, err := admin.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{}); err != nil {
			t.Fatalf("job %s: %v", name, err)
		}
	}
}

func ptr[T any](v T) *T { return &v }
