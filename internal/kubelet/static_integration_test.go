package kubelet

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestStaticPodRunsWithMirror(t *testing.T) {
	dir := t.TempDir()
	manifest := `apiVersion: v1
kind: Pod
metadata:
  name: etcdish
  namespace: kube-system
spec:
  containers:
  - name: main
    image: busybox:1.36
`
	if err := os.WriteFile(filepath.Join(dir, "etcdish.yaml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	h := startHarness(t, func(c *Config) {
		c.StaticPodsDir = dir
		c.DisableNodeStatus = false // mirror pods are owned by the Node object
	})
	name := "etcdish-" + h.node
	var mirror *v1.Pod
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		p, err := h.admin.CoreV1().Pods("kube-system").Get(context.Background(), name, metav1.GetOptions{})
		if err == nil && p.Status.Phase == v1.PodRunning && len(p.Status.ContainerStatuses) == 1 {
			mirror = p
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if mirror == nil {
		t.Fatalf("mirror pod %s never showed the static pod Running", name)
	}
	if mirror.Status.PodIP == "" || condition(mirror, v1.PodReady) != v1.ConditionTrue {
		t.Errorf("mirror status %+v", mirror.Status)
	}
	// The mirror pod itself is not run: one sandbox only.
	h.rt.Lock()
	sandboxes := len(h.rt.Sandboxes)
	h.rt.Unlock()
	if sandboxes != 1 {
		t.Errorf("%d sandboxes, want 1", sandboxes)
	}

	// Removing the manifest stops the pod and removes its mirror.
	if err := os.Remove(filepath.Join(dir, "etcdish.yaml")); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		h.rt.Lock()
		left := len(h.rt.Sandboxes)
		h.rt.Unlock()
		_, err := h.admin.CoreV1().Pods("kube-system").Get(context.Background(), name, metav1.GetOptions{})
		if left == 0 && err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("static pod not cleaned up: %d sandboxes, mirror get err %v", left, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
