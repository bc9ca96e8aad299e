package scheduler

import (
	"context"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/hanok-dev/hanok/internal/leader"
	"github.com/hanok-dev/hanok/internal/testserver"
)

// env is one test's API server, namespace and admin client.
type env struct {
	t      *testing.T
	s      *testserver.Server
	admin  kubernetes.Interface
	ns     string
	ctx    context.Context
	cancel context.CancelFunc
}

// newEnv starts a server of the test's own: nodes are cluster-wide, so
// tests that place pods on them cannot share one.
func newEnv(t *testing.T) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
	s := testserver.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	e := &env{t: t, s: s, admin: s.Client(), ns: s.CreateNamespace(t), ctx: ctx, cancel: cancel}
	// Admission may require the default ServiceAccount.
	_, err := e.admin.CoreV1().ServiceAccounts(e.ns).Create(ctx, &v1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	return e
}

// startScheduler runs a scheduler as system:kube-scheduler until the test
// ends (or the returned stop is called).
func (e *env) startScheduler(cfg Config) (stop func()) {
	e.t.Helper()
	cfg.RESTConfig = e.s.RESTConfigFor(e.t, "system:kube-scheduler")
	if cfg.PodInitialBackoff == 0 {
		cfg.PodInitialBackoff, cfg.PodMaxBackoff = 100*time.Millisecond, 500*time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg) }()
	var once bool
	stop = func() {
		if once {
			return
		}
		once = true
		cancel()
		if err := <-done; err != nil {
			e.t.Errorf("scheduler: %v", err)
		}
	}
	e.t.Cleanup(stop)
	return stop
}

// node creates a node with allocatable cpu (cores), 16Gi memory, 110
// pods, and the given labels and taints.
func (e *env) node(name, cpu string, labels map[string]string, taints ...v1.Taint) *v1.Node {
	e.t.Helper()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[v1.LabelHostname] = name
	n := &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Spec: v1.NodeSpec{Taints: taints}}
	n.Status.Allocatable = v1.ResourceList{v1.ResourceCPU: resource.MustParse(cpu), v1.ResourceMemory: resource.MustParse("16Gi"), v1.ResourcePods: resource.MustParse("110")}
	n.Status.Capacity = n.Status.Allocatable
	n.Status.Conditions = []v1.NodeCondition{{Type: v1.NodeReady, Status: v1.ConditionTrue}}
	created, err := e.admin.CoreV1().Nodes().Create(e.ctx, n, metav1.CreateOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	// Status is a subresource: write allocatable there too.
	created.Status = n.Status
	if created, err = e.admin.CoreV1().Nodes().UpdateStatus(e.ctx, created, metav1.UpdateOptions{}); err != nil {
		e.t.Fatal(err)
	}
	return created
}

// pod creates a pod requesting cpu, changed by opts.
func (e *env) pod(name, cpu string, opts ...func(*v1.Pod)) *v1.Pod {
	e.t.Helper()
	p := &v1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: e.ns}, Spec: v1.PodSpec{
		Containers: []v1.Container{{Name: "c", Image: "registry.example/app:v1"}},
	}}
	if cpu != "" {
		p.Spec.Containers[0].Resources.Requests = v1.ResourceList{v1.ResourceCPU: resource.MustParse(cpu)}
	}
	for _, o := range opts {
		o(p)
	}
	created, err := e.admin.CoreV1().Pods(e.ns).Create(e.ctx, p, metav1.CreateOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	return created
}

// waitBound polls until the pod has a node and returns it.
func (e *env) waitBound(name string) string {
	e.t.Helper()
	var node string
	err := wait.PollUntilContextTimeout(e.ctx, 20*time.Millisecond, 20*time.Second, true, func(ctx context.Context) (bool, error) {
		p, err := e.admin.CoreV1().Pods(e.ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		node = p.Spec.NodeName
		return node != "", nil
	})
	if err != nil {
		e.t.Fatalf("pod %s not bound: %v", name, err)
	}
	return node
}

// waitEvent polls for an event on the pod with reason, returning its
// message.
func (e *env) waitEvent(pod, reason string) string {
	e.t.Helper()
	return e.waitEventMessage(pod, reason, "")
}

// waitEventMessage polls for an event on the pod with reason and, unless
// want is empty, message want: the scheduler's view of the cluster is
// eventually consistent, so an early attempt may have seen fewer nodes.
func (e *env) waitEventMessage(pod, reason, want string) string {
	e.t.Helper()
	var msg string
	seen := map[string]bool{}
	sel := fields.Set{"involvedObject.name": pod, "reason": reason}.AsSelector().String()
	err := wait.PollUntilContextTimeout(e.ctx, 20*time.Millisecond, 20*time.Second, true, func(ctx context.Context) (bool, error) {
		list, err := e.admin.CoreV1().Events(e.ns).List(ctx, metav1.ListOptions{FieldSelector: sel})
		if err != nil {
			return false, err
		}
		for _, ev := range list.Items {
			if ev.InvolvedObject.Name == pod && ev.Reason == reason {
				seen[ev.Message] = true
				if want == "" || ev.Message == want {
					msg = ev.Message
					return true, nil
				}
			}
		}
		return false, nil
	})
	if err != nil {
		e.t.Fatalf("no %s event for %s with %q: %v; saw %v", reason, pod, want, err, seen)
	}
	return msg
}

// expectPending checks the pod stays unbound for a moment (used only
// after something that would have bound it at once if it could).
func (e *env) unbound(name string) bool {
	p, err := e.admin.CoreV1().Pods(e.ns).Get(e.ctx, name, metav1.GetOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	return p.Spec.NodeName == ""
}

func shortLeases() leader.Timing {
	return leader.Timing{LeaseDuration: 2 * time.Second, RenewDeadline: 1500 * time.Millisecond, RetryPeriod: 200 * time.Millisecond}
}

func taint(kv string, effect v1.TaintEffect) v1.Taint {
	k, v, _ := strings.Cut(kv, "=")
	return v1.Taint{Key: k, Value: v, Effect: effect}
}
