package nodeipam

import (
	"context"
	"net"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
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

func start(t *testing.T, s *testserver.Server, cidr string, mask int) *record.FakeRecorder {
	t.Helper()
	_, cluster, err := net.ParseCIDR(cidr)
	if err != nil {
		t.Fatal(err)
	}
	recorder := record.NewFakeRecorder(100)
	cc := controller.Context{
		Client:    s.ClientFor(t, "system:serviceaccount:kube-system:node-controller", "system:serviceaccounts", "system:serviceaccounts:kube-system"),
		Informers: informers.NewSharedInformerFactory(s.ClientFor(t, "system:kube-controller-manager"), 0),
		Recorder:  recorder,
	}
	c, err := New(cc, cluster, mask)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cc.Informers.Start(ctx.Done())
	done := make(chan struct{})
	go func() { c.Run(ctx, 2); close(done) }()
	t.Cleanup(func() { cancel(); <-done; cc.Informers.Shutdown() })
	return recorder
}

func createNode(t *testing.T, s *testserver.Server, name, podCIDR string) {
	t.Helper()
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.NodeSpec{PodCIDR: podCIDR}}
	if _, err := s.Client().CoreV1().Nodes().Create(testserver.Context(t), n, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Client().CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{}) })
}

func waitForCIDR(t *testing.T, s *testserver.Server, name, want string) {
	t.Helper()
	var got []string
	err := wait.PollUntilContextTimeout(testserver.Context(t), 20*time.Millisecond, 20*time.Second, true, func(ctx context.Context) (bool, error) {
		n, err := s.Client().CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		got = n.Spec.PodCIDRs
		return n.Spec.PodCIDR != "", nil
	})
	if err != nil || len(got) != 1 || got[0] != want {
		t.Fatalf("node %s: podCIDRs %v (%v), want [%s]", name, got, err, want)
	}
}

func TestAllocateAndRelease(t *testing.T) {
	s := shared.Get(t)
	// A node that had its range before the controller started keeps it.
	createNode(t, s, "node-a", "10.200.0.0/24")
	recorder := start(t, s, "10.200.0.0/22", 24)
	createNode(t, s, "node-b", "")
	waitForCIDR(t, s, "node-b", "10.200.1.0/24")
	createNode(t, s, "node-c", "")
	waitForCIDR(t, s, "node-c", "10.200.2.0/24")
	waitForCIDR(t, s, "node-a", "10.200.0.0/24")

	// node-b goes: its range is free again, after the ones never used.
	if err := s.Client().CoreV1().Nodes().Delete(testserver.Context(t), "node-b", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	createNode(t, s, "node-d", "")
	waitForCIDR(t, s, "node-d", "10.200.3.0/24")
	createNode(t, s, "node-e", "")
	waitForCIDR(t, s, "node-e", "10.200.1.0/24")

	// Full: no range, and an event says so.
	createNode(t, s, "node-f", "")
	select {
	case ev := <-recorder.Events:
		if ev != "Normal CIDRNotAvailable Node node-f status is now: CIDRNotAvailable" {
			t.Errorf("event %q", ev)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no CIDRNotAvailable event")
	}
}
