package nodelifecycle

import (
	"context"
	"os"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/record"

	"github.com/hanok-dev/hanok/internal/controller"
	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

func start(t *testing.T, s *testserver.Server, opts Options) {
	t.Helper()
	cc := controller.Context{
		Client:    s.ClientFor(t, "system:serviceaccount:kube-system:node-controller", "system:serviceaccounts", "system:serviceaccounts:kube-system"),
		Informers: informers.NewSharedInformerFactory(s.ClientFor(t, "system:kube-controller-manager"), 0),
		Recorder:  &record.FakeRecorder{},
	}
	c, err := New(cc, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cc.Informers.Start(ctx.Done())
	done := make(chan struct{})
	go func() { c.Run(ctx, 2); close(done) }()
	t.Cleanup(func() { cancel(); <-done; cc.Informers.Shutdown() })
}

func poll(t *testing.T, what string, cond func(ctx context.Context) bool) {
	t.Helper()
	err := wait.PollUntilContextTimeout(testserver.Context(t), 50*time.Millisecond, 25*time.Second, true,
		func(ctx context.Context) (bool, error) { return cond(ctx), nil })
	if err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// setReady posts the node's Ready condition as a kubelet would.
func setReady(t *testing.T, cs kubernetes.Interface, name string, status corev1.ConditionStatus) {
	t.Helper()
	ctx := testserver.Context(t)
	node, err := cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	now := metav1.Now()
	node.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: status, Reason: "KubeletReady", LastHeartbeatTime: now, LastTransitionTime: now}}
	if _, err := cs.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func createPod(t *testing.T, cs kubernetes.Interface, ns, name, node string, tolerations []corev1.Toleration) {
	t.Helper()
	ctx := testserver.Context(t)
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{NodeName: node, Tolerations: tolerations, Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}
	got, err := cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got.Status.Phase = corev1.PodRunning
	got.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
	if _, err := cs.CoreV1().Pods(ns).UpdateStatus(ctx, got, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func hasTaint(n *corev1.Node, key string, effect corev1.TaintEffect) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == key && t.Effect == effect {
			return true
		}
	}
	return false
}

// makeNode creates a Ready node with its lease; with heartbeat set, its
// lease is renewed until the test ends.
func makeNode(t *testing.T, cs kubernetes.Interface, name string, heartbeat bool) {
	t.Helper()
	ctx := testserver.Context(t)
	if _, err := cs.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	setReady(t, cs, name, corev1.ConditionTrue)
	renew := metav1.NewMicroTime(time.Now())
	lease := &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: corev1.NamespaceNodeLease},
		Spec: coordinationv1.LeaseSpec{HolderIdentity: &name, RenewTime: &renew}}
	if _, err := cs.CoordinationV1().Leases(corev1.NamespaceNodeLease).Create(ctx, lease, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cs.CoordinationV1().Leases(corev1.NamespaceNodeLease).Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	if heartbeat {
		startHeartbeat(t, cs, name)
	}
}

// startHeartbeat renews name's lease every 100ms until the test ends.
func startHeartbeat(t *testing.T, cs kubernetes.Interface, name string) {
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		wait.UntilWithContext(ctx, func(ctx context.Context) {
			l, err := cs.CoordinationV1().Leases(corev1.NamespaceNodeLease).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return
			}
			now := metav1.NewMicroTime(time.Now())
			l.Spec.RenewTime = &now
			_, _ = cs.CoordinationV1().Leases(corev1.NamespaceNodeLease).Update(ctx, l, metav1.UpdateOptions{})
		}, 100*time.Millisecond)
	}()
	t.Cleanup(func() { stop(); <-done })
}

func getNode(ctx context.Context, cs kubernetes.Interface, name string) *corev1.Node {
	n, err := cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return &corev1.Node{}
	}
	return n
}

// fast is short timings for tests; the grace period still leaves a
// heartbeat every 100ms ample room on a loaded machine (a healthy node
// seen as silent would change what is tested).
var fast = Options{GracePeriod: 3 * time.Second, StartupGracePeriod: 3 * time.Second, MonitorPeriod: 100 * time.Millisecond}

// TestSilentNode: of two nodes, the one whose heartbeats stop becomes
// Unknown and unreachable, its pods not ready, and those that tolerate
// that only for a while are evicted; when it is back, the taints go.
func TestSilentNode(t *testing.T) {
	s := shared.Get(t)
	cs := s.Client()
	ctx := testserver.Context(t)
	ns := s.CreateNamespace(t)
	name := ns + "-silent"
	makeNode(t, cs, ns+"-healthy", true)
	makeNode(t, cs, name, false)
	one := int64(1)
	createPod(t, cs, ns, "short-toleration", name, []corev1.Toleration{
		{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &one}})
	createPod(t, cs, ns, "tolerates-forever", name, []corev1.Toleration{
		{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute}})

	start(t, s, fast)
	poll(t, "the silent node to be unreachable", func(ctx context.Context) bool {
		n := getNode(ctx, cs, name)
		return readyStatus(n) == corev1.ConditionUnknown &&
			hasTaint(n, corev1.TaintNodeUnreachable, corev1.TaintEffectNoExecute) && hasTaint(n, corev1.TaintNodeUnreachable, corev1.TaintEffectNoSchedule)
	})
	poll(t, "the short-tolerating pod to be evicted", func(ctx context.Context) bool {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, "short-toleration", metav1.GetOptions{})
		if err != nil || p.DeletionTimestamp == nil {
			return false
		}
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.DisruptionTarget && c.Reason == reasonDeletionByTaintManager {
				return true
			}
		}
		return false
	})
	poll(t, "the other pod to be marked not ready", func(ctx context.Context) bool {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, "tolerates-forever", metav1.GetOptions{})
		return err == nil && !podReady(p)
	})
	if p, err := cs.CoreV1().Pods(ns).Get(ctx, "tolerates-forever", metav1.GetOptions{}); err != nil || p.DeletionTimestamp != nil {
		t.Fatalf("a pod tolerating the taint for ever was evicted: %v", err)
	}
	if n := getNode(ctx, cs, ns+"-healthy"); readyStatus(n) != corev1.ConditionTrue || len(n.Spec.Taints) != 0 {
		t.Fatalf("the healthy node was touched: %+v", n.Spec.Taints)
	}

	// Back: Ready again, and renewing its lease, so it stays so; the
	// taints go.
	setReady(t, cs, name, corev1.ConditionTrue)
	startHeartbeat(t, cs, name)
	poll(t, "the taints to go", func(ctx context.Context) bool {
		n := getNode(ctx, cs, name)
		return readyStatus(n) == corev1.ConditionTrue && len(n.Spec.Taints) == 0
	})
}

// TestEveryNodeSilent: when no node is ready, the fault is taken to be on
// the control plane's side: nodes are marked and tainted NoSchedule, but
// none NoExecute, and no pod is evicted.
func TestEveryNodeSilent(t *testing.T) {
	s := shared.Get(t)
	cs := s.Client()
	ctx := testserver.Context(t)
	ns := s.CreateNamespace(t)
	name := ns + "-alone"
	makeNode(t, cs, name, false)
	createPod(t, cs, ns, "p", name, nil) // admission gives it 300s tolerations

	start(t, s, fast)
	poll(t, "the node to be unreachable", func(ctx context.Context) bool {
		n := getNode(ctx, cs, name)
		return readyStatus(n) == corev1.ConditionUnknown && hasTaint(n, corev1.TaintNodeUnreachable, corev1.TaintEffectNoSchedule)
	})
	// The NoSchedule taint was written with the NoExecute decision.
	if n := getNode(ctx, cs, name); hasTaint(n, corev1.TaintNodeUnreachable, corev1.TaintEffectNoExecute) {
		t.Fatal("tainted NoExecute while no node is ready")
	}
	if p, err := cs.CoreV1().Pods(ns).Get(ctx, "p", metav1.GetOptions{}); err != nil || p.DeletionTimestamp != nil {
		t.Fatalf("pod evicted while no node is ready: %v", err)
	}
}
