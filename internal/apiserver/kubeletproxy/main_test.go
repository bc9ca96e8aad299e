package kubeletproxy_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilrand "k8s.io/apimachinery/pkg/util/rand"

	"github.com/hanok-dev/hanok/internal/apiserver/kubeletproxy/kubelettest"
	"github.com/hanok-dev/hanok/internal/testserver"
)

// The integration tests share one API server; each makes its own
// namespace, node and fake kubelet.
var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

// cluster is one test's fixture: a namespace, and a Node backed by a fake
// kubelet.
type cluster struct {
	s       *testserver.Server
	ns      string
	node    string
	kubelet *kubelettest.Kubelet
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	s := shared.Get(t)
	c := &cluster{s: s, ns: s.CreateNamespace(t), node: "node-" + utilrand.String(6)}
	c.kubelet = kubelettest.Start(t, s.PKI(), c.node)
	ctx := testserver.Context(t)
	if _, err := s.Client().CoreV1().Nodes().Create(ctx, c.kubelet.Node(c.node), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.Client().CoreV1().Nodes().Delete(context.Background(), c.node, metav1.DeleteOptions{})
	})
	return c
}

// pod creates a pod with the named containers, on the fake's node unless
// unscheduled.
func (c *cluster) pod(t *testing.T, name string, scheduled bool, containers ...string) *corev1.Pod {
	t.Helper()
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: c.ns, Labels: map[string]string{"app": name}}}
	for _, n := range containers {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: n, Image: "busybox"})
	}
	if scheduled {
		p.Spec.NodeName = c.node
	}
	created, err := c.s.Client().CoreV1().Pods(c.ns).Create(testserver.Context(t), p, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating pod %s: %v", name, err)
	}
	return created
}

func (c *cluster) String() string { return fmt.Sprintf("%s on %s", c.ns, c.node) }
