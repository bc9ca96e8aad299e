package podgc

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/record"

	"github.com/hanok-dev/hanok/internal/controller"
	"github.com/hanok-dev/hanok/internal/testserver"
)

func start(t *testing.T, s *testserver.Server, opts Options) {
	t.Helper()
	cc := controller.Context{
		Client:    s.ClientFor(t, "system:serviceaccount:kube-system:pod-garbage-collector", "system:serviceaccounts", "system:serviceaccounts:kube-system"),
		Informers: informers.NewSharedInformerFactory(s.ClientFor(t, "system:kube-controller-manager"), 0),
		Recorder:  &record.FakeRecorder{},
	}
	c := New(cc, opts)
	ctx, cancel := context.WithCancel(context.Background())
	cc.Informers.Start(ctx.Done())
	done := make(chan struct{})
	go func() { c.Run(ctx, 1); close(done) }()
	t.Cleanup(func() { cancel(); <-done; cc.Informers.Shutdown() })
}

func createPod(t *testing.T, s *testserver.Server, ns, name, node string, phase corev1.PodPhase) {
	t.Helper()
	ctx := testserver.Context(t)
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}
	got, err := s.Client().CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if phase != "" {
		got.Status.Phase = phase
		if _, err := s.Client().CoreV1().Pods(ns).UpdateStatus(ctx, got, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

func waitGone(t *testing.T, s *testserver.Server, ns, name string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(testserver.Context(t), 20*time.Millisecond, 20*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := s.Client().CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		t.Fatalf("pod %s/%s not collected: %v", ns, name, err)
	}
}

// TestCollects has a server of its own: the threshold counts every
// terminated pod of the cluster.
func TestCollects(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
	s := testserver.Start(t)
	ns := s.CreateNamespace(t)
	ctx := testserver.Context(t)
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: ns + "-node"}}
	if _, err := s.Client().CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.Client().CoreV1().Nodes().Delete(context.Background(), node.Name, metav1.DeleteOptions{})
	})

	// Three finished pods, threshold two: the oldest goes (created first,
	// or, within the same second, first by name).
	createPod(t, s, ns, "done-1", node.Name, corev1.PodSucceeded)
	createPod(t, s, ns, "done-2", node.Name, corev1.PodFailed)
	createPod(t, s, ns, "done-3", node.Name, corev1.PodSucceeded)
	createPod(t, s, ns, "running", node.Name, corev1.PodRunning)
	createPod(t, s, ns, "on-ghost", ns+"-ghost", corev1.PodRunning)

	// A node declared out of service: its terminating pod is forced.
	oos := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: ns + "-oos"}, Spec: corev1.NodeSpec{Taints: []corev1.Taint{
		{Key: corev1.TaintNodeOutOfService, Value: "nodeshutdown", Effect: corev1.TaintEffectNoExecute}}}}
	if _, err := s.Client().CoreV1().Nodes().Create(ctx, oos, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Client().CoreV1().Nodes().Delete(context.Background(), oos.Name, metav1.DeleteOptions{}) })
	createPod(t, s, ns, "stuck-terminating", oos.Name, corev1.PodRunning)
	if err := s.Client().CoreV1().Pods(ns).Delete(ctx, "stuck-terminating", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}

	start(t, s, Options{TerminatedPodThreshold: 2, Period: 50 * time.Millisecond, Quarantine: 200 * time.Millisecond})
	waitGone(t, s, ns, "done-1")
	waitGone(t, s, ns, "on-ghost")
	waitGone(t, s, ns, "stuck-terminating")
	for _, name := range []string{"done-2", "done-3", "running"} {
		if _, err := s.Client().CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{}); err != nil {
			t.Errorf("%s: %v, want kept", name, err)
		}
	}
}
