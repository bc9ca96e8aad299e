package statefulset_test

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
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/hanok-dev/hanok/internal/controller/controllertest"
	"github.com/hanok-dev/hanok/internal/controller/statefulset"
	"github.com/hanok-dev/hanok/internal/testserver"
)

var shared testserver.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

func newSet(name string, replicas int32, policy appsv1.PodManagementPolicyType) *appsv1.StatefulSet {
	labels := map[string]string{"app": name}
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.StatefulSetSpec{
			Replicas: &replicas, ServiceName: name, PodManagementPolicy: policy,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "postgres:1"}}}},
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{
				ObjectMeta: metav1.ObjectMeta{Name: "data"},
				Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}},
			}},
		},
	}
}

func TestStatefulSetOrderedWithClaims(t *testing.T) {
	s := shared.Get(t)
	ns := s.CreateNamespace(t)
	admin := s.Client()
	ctx := testserver.Context(t)
	controllertest.EnsureDefaultServiceAccount(t, admin, ns)
	c := controllertest.NewContext(t, s, "statefulset-controller", ns)
	sc, err := statefulset.New(c)
	if err != nil {
		t.Fatal(err)
	}
	controllertest.Run(t, c, sc)
	controllertest.StartKubelet(t, &controllertest.Kubelet{Client: admin, Namespace: ns, Nodes: []string{ns + "-n1"}, Schedule: true})

	// Record, for each pod creation, whether every lower ordinal was Ready
	// at that moment.
	w, err := admin.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	ready := map[string]bool{}
	var outOfOrder []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range w.ResultChan() {
			pod, ok := ev.Object.(*corev1.Pod)
			if !ok {
				continue
			}
			mu.Lock()
			ready[pod.Name] = ev.Type != watch.Deleted && pod.DeletionTimestamp == nil && isReady(pod)
			if ev.Type == watch.Added {
				var ord int
				fmt.Sscanf(strings.TrimPrefix(pod.Name, "db-"), "%d", &ord)
				for lower := 0; lower < ord; lower++ {
					if !ready[fmt.Sprintf("db-%d", lower)] {
						outOfOrder = append(outOfOrder, fmt.Sprintf("%s created before db-%d was ready", pod.Name, lower))
					}
				}
			}
			mu.Unlock()
		}
	}()
	defer func() { w.Stop(); <-done }()

	if _, err := admin.AppsV1().StatefulSets(ns).Create(ctx, newSet("db", 3, appsv1.OrderedReadyPodManagement), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	kubectl := func(args ...string) string {
		t.Helper()
		cctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		out, err := exec.CommandContext(cctx, "kubectl", append([]string{"--kubeconfig", s.KubeconfigPath(), "-n", ns}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("kubectl %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	kubectl("rollout", "status", "statefulset/db", "--timeout=30s")
	waitStatus(t, s, ns, 3)
	mu.Lock()
	if len(outOfOrder) > 0 {
		t.Fatalf("not in order: %v", outOfOrder)
	}
	mu.Unlock()
	for i := range 3 {
		name := fmt.Sprintf("db-%d", i)
		pod, err := admin.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if pod.Spec.Hostname != name || pod.Spec.Subdomain != "db" || pod.Spec.Volumes[0].PersistentVolumeClaim.ClaimName != "data-"+name {
			t.Fatalf("pod %s identity: hostname %s subdomain %s volumes %+v", name, pod.Spec.Hostname, pod.Spec.Subdomain, pod.Spec.Volumes)
		}
		if _, err := admin.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "data-"+name, metav1.GetOptions{}); err != nil {
			t.Fatalf("claim of %s: %v", name, err)
		}
	}

	// A rolling update replaces every pod, highest ordinal first.
	kubectl("set", "image", "statefulset/db", "c=postgres:2")
	kubectl("rollout", "status", "statefulset/db", "--timeout=30s")
	st := waitStatus(t, s, ns, 3)
	if st.CurrentRevision != st.UpdateRevision {
		t.Fatalf("revisions after rollout: %+v", st)
	}
	for i := range 3 {
		pod, _ := admin.CoreV1().Pods(ns).Get(ctx, fmt.Sprintf("db-%d", i), metav1.GetOptions{})
		if img := pod.Spec.Containers[0].Image; img != "postgres:2" {
			t.Fatalf("db-%d runs %s", i, img)
		}
	}
	if out := kubectl("rollout", "history", "statefulset/db"); !strings.Contains(out, "1 ") || !strings.Contains(out, "2 ") {
		t.Fatalf("history:\n%s", out)
	}
	kubectl("rollout", "undo", "statefulset/db")
	kubectl("rollout", "status", "statefulset/db", "--timeout=30s")
	waitStatus(t, s, ns, 3)
	set, _ := admin.AppsV1().StatefulSets(ns).Get(ctx, "db", metav1.GetOptions{})
	if img := set.Spec.Template.Spec.Containers[0].Image; img != "postgres:1" {
		t.Fatalf("image after undo %s", img)
	}

	// Scaling down removes the highest ordinals and keeps their claims.
	kubectl("scale", "statefulset/db", "--replicas=1")
	waitStatus(t, s, ns, 1)
	if _, err := admin.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "data-db-2", metav1.GetOptions{}); err != nil {
		t.Fatalf("claim of a scaled-down pod must stay: %v", err)
	}
	if _, err := admin.CoreV1().Pods(ns).Get(ctx, "db-0", metav1.GetOptions{}); err != nil {
		t.Fatalf("db-0 must stay: %v", err)
	}
}

func TestStatefulSetParallel(t *testing.T) {
	s := shared.Get(t)
	ns := s.CreateNamespace(t)
	admin := s.Client()
	ctx := testserver.Context(t)
	controllertest.EnsureDefaultServiceAccount(t, admin, ns)
	c := controllertest.NewContext(t, s, "statefulset-controller", ns)
	sc, _ := statefulset.New(c)
	controllertest.Run(t, c, sc)
	// No kubelet yet: Parallel must create every pod without waiting.
	if _, err := admin.AppsV1().StatefulSets(ns).Create(ctx, newSet("web", 4, appsv1.ParallelPodManagement), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	controllertest.Eventually(t, 10*time.Second, func() (bool, string) {
		pods, _ := admin.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		return len(pods.Items) == 4, fmt.Sprintf("%d pods", len(pods.Items))
	})
	controllertest.StartKubelet(t, &controllertest.Kubelet{Client: admin, Namespace: ns, Nodes: []string{ns + "-n1"}, Schedule: true})
	waitStatusNamed(t, s, ns, "web", 4)
}

func isReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func waitStatus(t *testing.T, s *testserver.Server, ns string, n int32) appsv1.StatefulSetStatus {
	t.Helper()
	return waitStatusNamed(t, s, ns, "db", n)
}

func waitStatusNamed(t *testing.T, s *testserver.Server, ns, name string, n int32) appsv1.StatefulSetStatus {
	t.Helper()
	var st appsv1.StatefulSetStatus
	controllertest.Eventually(t, 30*time.Second, func() (bool, string) {
		set, err := s.Client().AppsV1().StatefulSets(ns).Get(testserver.Context(t), name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		st = set.Status
		return st.ObservedGeneration == set.Generation && st.Replicas == n && st.ReadyReplicas == n && st.UpdatedReplicas == n &&
			st.CurrentRevision == st.UpdateRevision, fmt.Sprintf("status %+v", st)
	})
	return st
}
