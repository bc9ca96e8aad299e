package manager

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/testserver"
)

// BenchmarkMemory10kPods reports how much the heap grows when the manager
// starts on a cluster of 10,000 pods (owned by one ReplicaSet, so the
// garbage collector indexes them all): the manager's informers, caches
// and queues, plus what the in-process API server spends serving its
// watches. Run with -benchtime=1x.
func BenchmarkMemory10kPods(b *testing.B) {
	const pods = 10_000
	s := testserver.Start(b)
	ctx := context.Background()
	ns := s.CreateNamespace(b)
	labels := map[string]string{"app": "bench"}
	template := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}
	rs, err := s.Client().AppsV1().ReplicaSets(ns).Create(ctx, &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "rs"},
		Spec: appsv1.ReplicaSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: template}}, metav1.CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	yes := true
	owner := []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: rs.Name, UID: rs.UID, Controller: &yes}}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < pods; i += 8 {
				p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("p-%05d", i), Labels: labels, OwnerReferences: owner}, Spec: template.Spec}
				if _, err := s.Client().CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}

	for b.Loop() {
		before := heap()
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		begin := time.Now()
		go func() {
			done <- Run(runCtx, Config{RESTConfig: s.RESTConfigFor(b, "system:kube-controller-manager"), RootCA: s.PKI().ServerCAPEM()})
		}()
		// Started once the collector has seen every pod: its queue has
		// drained when a dangling pod created now is collected.
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "dangling", OwnerReferences: []metav1.OwnerReference{
			{APIVersion: "v1", Kind: "Pod", Name: "none", UID: "00000000-0000-0000-0000-000000000000"}}}, Spec: template.Spec}
		if _, err := s.Client().CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := s.Client().CoreV1().Pods(ns).Get(ctx, "dangling", metav1.GetOptions{}); err != nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		synced := time.Since(begin)
		after := heap()
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(after-before)/(1<<20), "MiB-heap-growth")
		b.ReportMetric(synced.Seconds(), "s-to-steady")
	}
}

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
