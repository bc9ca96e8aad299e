package deployment_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"

	"github.com/hanok-dev/hanok/internal/controller/controllertest"
	"github.com/hanok-dev/hanok/internal/controller/deployment"
	"github.com/hanok-dev/hanok/internal/controller/ownedpods"
	"github.com/hanok-dev/hanok/internal/controller/replicaset"
	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

// env is a namespace with the deployment and replicaset controllers and a
// fake kubelet running in it.
type env struct {
	s     *testserver.Server
	ns    string
	admin kubernetes.Interface
	ctx   context.Context
}

func setup(t *testing.T, kubelet *controllertest.Kubelet) *env {
	t.Helper()
	s := shared.Get(t)
	e := &env{s: s, ns: s.CreateNamespace(t), admin: s.Client(), ctx: testserver.Context(t)}
	controllertest.EnsureDefaultServiceAccount(t, e.admin, e.ns)
	rc := controllertest.NewContext(t, s, "replicaset-controller", e.ns)
	rsc, err := replicaset.New(rc)
	if err != nil {
		t.Fatal(err)
	}
	controllertest.Run(t, rc, rsc)
	dcx := controllertest.NewContext(t, s, "deployment-controller", e.ns)
	dc, err := deployment.New(dcx)
	if err != nil {
		t.Fatal(err)
	}
	controllertest.Run(t, dcx, dc)
	if kubelet == nil {
		kubelet = &controllertest.Kubelet{}
	}
	kubelet.Client, kubelet.Namespace, kubelet.Nodes, kubelet.Schedule = e.admin, e.ns, []string{e.ns + "-n1", e.ns + "-n2"}, true
	controllertest.StartKubelet(t, kubelet)
	return e
}

func (e *env) kubectl(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "kubectl", append([]string{"--kubeconfig", e.s.KubeconfigPath(), "-n", e.ns}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func newDeployment(name string, n int32, image string) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: &n,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: image}}},
			},
		},
	}
}

func (e *env) waitComplete(t *testing.T, name string) *appsv1.Deployment {
	t.Helper()
	var d *appsv1.Deployment
	controllertest.Eventually(t, 30*time.Second, func() (bool, string) {
		var err error
		d, err = e.admin.AppsV1().Deployments(e.ns).Get(e.ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		p := deployment.Condition(&d.Status, appsv1.DeploymentProgressing)
		a := deployment.Condition(&d.Status, appsv1.DeploymentAvailable)
		want := *d.Spec.Replicas
		st := d.Status
		return st.ObservedGeneration == d.Generation && st.Replicas == want && st.UpdatedReplicas == want &&
				st.AvailableReplicas == want && p != nil && p.Reason == deployment.ReasonNewRSAvailable &&
				a != nil && a.Status == corev1.ConditionTrue,
			fmt.Sprintf("status %+v", st)
	})
	return d
}

// watchPeak follows the namespace's pods and reports the most that were
// ever active at once (not being deleted, not finished).
func (e *env) watchPeak(t *testing.T) func() int {
	t.Helper()
	w, err := e.admin.CoreV1().Pods(e.ns).Watch(e.ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	active, peak := map[string]bool{}, 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range w.ResultChan() {
			pod, ok := ev.Object.(*corev1.Pod)
			if !ok {
				continue
			}
			mu.Lock()
			if ev.Type == watch.Deleted || !ownedpods.IsActive(pod) {
				delete(active, pod.Name)
			} else {
				active[pod.Name] = true
			}
			peak = max(peak, len(active))
			mu.Unlock()
		}
	}()
	t.Cleanup(func() { w.Stop(); <-done })
	return func() int { mu.Lock(); defer mu.Unlock(); return peak }
}

func (e *env) sets(t *testing.T) []appsv1.ReplicaSet {
	t.Helper()
	list, err := e.admin.AppsV1().ReplicaSets(e.ns).List(e.ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return list.Items
}

func TestRollingUpdateKubectl(t *testing.T) {
	e := setup(t, nil)
	d := newDeployment("web", 3, "nginx:1")
	one, zero := intstr.FromInt32(1), intstr.FromInt32(0)
	d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &one, MaxUnavailable: &zero}}
	if _, err := e.admin.AppsV1().Deployments(e.ns).Create(e.ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.kubectl(t, "rollout", "status", "deployment/web", "--timeout=30s")
	d = e.waitComplete(t, "web")
	if d.Annotations[deployment.RevisionAnnotation] != "1" {
		t.Fatalf("revision %q, want 1", d.Annotations[deployment.RevisionAnnotation])
	}
	first := e.sets(t)
	if len(first) != 1 {
		t.Fatalf("%d replica sets, want 1", len(first))
	}

	peak := e.watchPeak(t)
	e.kubectl(t, "set", "image", "deployment/web", "c=nginx:2")
	out := e.kubectl(t, "rollout", "status", "deployment/web", "--timeout=30s")
	if !strings.Contains(out, "successfully rolled out") {
		t.Fatalf("rollout status: %s", out)
	}
	d = e.waitComplete(t, "web")
	if p := peak(); p > 4 {
		t.Fatalf("%d pods active at once, want at most replicas+maxSurge = 4", p)
	}
	if d.Annotations[deployment.RevisionAnnotation] != "2" {
		t.Fatalf("revision %q, want 2", d.Annotations[deployment.RevisionAnnotation])
	}
	if n := len(e.sets(t)); n != 2 {
		t.Fatalf("%d replica sets, want 2", n)
	}
	if out := e.kubectl(t, "rollout", "history", "deployment/web"); !strings.Contains(out, "1 ") || !strings.Contains(out, "2 ") {
		t.Fatalf("rollout history:\n%s", out)
	}

	// Undo goes back to the first ReplicaSet, which becomes revision 3.
	e.kubectl(t, "rollout", "undo", "deployment/web")
	e.kubectl(t, "rollout", "status", "deployment/web", "--timeout=30s")
	d = e.waitComplete(t, "web")
	if img := d.Spec.Template.Spec.Containers[0].Image; img != "nginx:1" {
		t.Fatalf("image after undo %q", img)
	}
	rs, err := e.admin.AppsV1().ReplicaSets(e.ns).Get(e.ctx, first[0].Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if *rs.Spec.Replicas != 3 || rs.Annotations[deployment.RevisionAnnotation] != "3" || rs.Annotations[deployment.RevisionHistoryAnnotation] != "1" {
		t.Fatalf("old replica set after undo: replicas %d, annotations %v", *rs.Spec.Replicas, rs.Annotations)
	}
	if p := peak(); p > 4 {
		t.Fatalf("%d pods active at once during undo, want at most 4", p)
	}

	// Scale.
	e.kubectl(t, "scale", "deployment/web", "--replicas=5")
	d = e.waitComplete(t, "web")
	if d.Status.Replicas != 5 {
		t.Fatalf("replicas %d after scale", d.Status.Replicas)
	}
	e.kubectl(t, "scale", "deployment/web", "--replicas=1")
	e.waitComplete(t, "web")
}

func TestRecreate(t *testing.T) {
	e := setup(t, nil)
	d := newDeployment("rec", 2, "nginx:1")
	d.Spec.Strategy.Type = appsv1.RecreateDeploymentStrategyType
	if _, err := e.admin.AppsV1().Deployments(e.ns).Create(e.ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitComplete(t, "rec")
	peak := e.watchPeak(t)
	e.kubectl(t, "set", "image", "deployment/rec", "c=nginx:2")
	e.kubectl(t, "rollout", "status", "deployment/rec", "--timeout=30s")
	e.waitComplete(t, "rec")
	if p := peak(); p > 2 {
		t.Fatalf("%d pods at once: Recreate must never run old and new together", p)
	}
}

func TestPauseResume(t *testing.T) {
	e := setup(t, nil)
	if _, err := e.admin.AppsV1().Deployments(e.ns).Create(e.ctx, newDeployment("p", 2, "nginx:1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitComplete(t, "p")
	e.kubectl(t, "rollout", "pause", "deployment/p")
	e.kubectl(t, "set", "image", "deployment/p", "c=nginx:2")
	controllertest.Eventually(t, 10*time.Second, func() (bool, string) {
		d, _ := e.admin.AppsV1().Deployments(e.ns).Get(e.ctx, "p", metav1.GetOptions{})
		c := deployment.Condition(&d.Status, appsv1.DeploymentProgressing)
		return c != nil && c.Reason == deployment.ReasonPaused && d.Status.ObservedGeneration == d.Generation, fmt.Sprintf("%+v", d.Status)
	})
	if n := len(e.sets(t)); n != 1 {
		t.Fatalf("paused deployment rolled out: %d replica sets", n)
	}
	e.kubectl(t, "rollout", "resume", "deployment/p")
	e.kubectl(t, "rollout", "status", "deployment/p", "--timeout=30s")
	e.waitComplete(t, "p")
	if n := len(e.sets(t)); n != 2 {
		t.Fatalf("%d replica sets after resume, want 2", n)
	}
}

func TestProgressDeadline(t *testing.T) {
	e := setup(t, &controllertest.Kubelet{Ready: func(p *corev1.Pod) bool {
		return p.Spec.Containers[0].Image != "broken"
	}})
	d := newDeployment("dl", 2, "nginx:1")
	d.Spec.ProgressDeadlineSeconds = ptr(int32(1))
	if _, err := e.admin.AppsV1().Deployments(e.ns).Create(e.ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitComplete(t, "dl")
	e.kubectl(t, "set", "image", "deployment/dl", "c=broken")
	controllertest.Eventually(t, 20*time.Second, func() (bool, string) {
		d, _ := e.admin.AppsV1().Deployments(e.ns).Get(e.ctx, "dl", metav1.GetOptions{})
		c := deployment.Condition(&d.Status, appsv1.DeploymentProgressing)
		return c != nil && c.Reason == deployment.ReasonTimedOut && c.Status == corev1.ConditionFalse, fmt.Sprintf("%+v", d.Status)
	})
	cmd := exec.Command("kubectl", "--kubeconfig", e.s.KubeconfigPath(), "-n", e.ns, "rollout", "status", "deployment/dl", "--timeout=10s")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "exceeded its progress deadline") {
		t.Fatalf("rollout status on a stuck rollout: %v\n%s", err, out)
	}
}

func TestRevisionHistoryLimit(t *testing.T) {
	e := setup(t, nil)
	d := newDeployment("h", 1, "nginx:0")
	d.Spec.RevisionHistoryLimit = ptr(int32(1))
	if _, err := e.admin.AppsV1().Deployments(e.ns).Create(e.ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitComplete(t, "h")
	for i := 1; i <= 3; i++ {
		e.kubectl(t, "set", "image", "deployment/h", fmt.Sprintf("c=nginx:%d", i))
		e.waitComplete(t, "h")
	}
	controllertest.Eventually(t, 10*time.Second, func() (bool, string) {
		n := len(e.sets(t))
		return n == 2, fmt.Sprintf("%d replica sets, want 2 (new + 1 of history)", n)
	})
}

func ptr[T any](v T) *T { return &v }
