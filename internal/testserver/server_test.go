package testserver

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestStart checks what every user of the package relies on: a fast start,
// bootstrap objects present, an admin client, and a kubeconfig kubectl
// accepts.
func TestStart(t *testing.T) {
	begin := time.Now()
	s := Start(t)
	t.Logf("started in %v at %s", time.Since(begin), s.URL())

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	svc, err := s.Client().CoreV1().Services("default").Get(ctx, "kubernetes", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("kubernetes Service: %v", err)
	}
	if svc.Spec.ClusterIP != "10.43.0.1" {
		t.Errorf("kubernetes Service ClusterIP %s, want 10.43.0.1", svc.Spec.ClusterIP)
	}
	ns := s.CreateNamespace(t)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c"}, Data: map[string]string{"k": "v"}}
	if _, err := s.Client().CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create in %s: %v", ns, err)
	}
	if _, err := s.Etcd().Get(ctx, "/registry/configmaps/"+ns+"/c"); err != nil {
		t.Fatalf("etcd client: %v", err)
	}

	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("no kubectl on PATH")
	}
	if _, err := os.Stat(s.KubeconfigPath()); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, kubectl, "--kubeconfig", s.KubeconfigPath(), "get", "configmap", "c", "-n", ns, "-o", "name").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "configmap/c" {
		t.Errorf("kubectl get: %v: %s", err, out)
	}
}

// TestStopEndsWatches: Stop must not hang on an open watch, as Cleanup
// would then hang the test binary.
func TestStopEndsWatches(t *testing.T) {
	s, err := New(WithServiceCIDR("10.96.0.0/24"))
	if err != nil {
		t.Fatal(err)
	}
	dir := s.dir
	w, err := s.Client().CoreV1().Pods("").Watch(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	done := make(chan struct{})
	go func() { s.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Stop hung with a watch open")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("temp dir %s not removed: %v", dir, err)
	}
}
