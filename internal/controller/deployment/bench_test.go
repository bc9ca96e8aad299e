package deployment_test

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hanok-dev/hanok/internal/controller/controllertest"
	"github.com/hanok-dev/hanok/internal/controller/deployment"
	"github.com/hanok-dev/hanok/internal/controller/replicaset"
	"github.com/hanok-dev/hanok/internal/testserver"
)

// BenchmarkScaleFromZero scales a Deployment from 0 to
// HANOK_BENCH_REPLICAS (default 1000; the figure is 3000) and
// reports the seconds until every pod object exists and the API requests
// the two controllers made per pod (the goal: one create per pod). No
// kubelet: pods only have to exist.
func BenchmarkScaleFromZero(b *testing.B) {
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("HANOK_BENCH_REPLICAS")); err == nil && v > 0 {
		n = v
	}
	s := shared.Get(b)
	for i := 0; i < b.N; i++ {
		ns := s.CreateNamespace(b)
		admin := s.Client()
		ctx := testserver.Context(b)
		controllertest.EnsureDefaultServiceAccount(b, admin, ns)
		rcx, rsReqs := controllertest.NewCountingContext(b, s, "replicaset-controller", ns)
		rsc, _ := replicaset.New(rcx)
		controllertest.Run(b, rcx, rsc)
		dcx, dReqs := controllertest.NewCountingContext(b, s, "deployment-controller", ns)
		dc, _ := deployment.New(dcx)
		controllertest.Run(b, dcx, dc)

		d := newDeployment("big", 0, "nginx")
		if _, err := admin.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		controllertest.Eventually(b, 30*time.Second, func() (bool, string) {
			rss, _ := admin.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{})
			return len(rss.Items) == 1, "no replica set yet"
		})
		b.ResetTimer()
		begin := time.Now()
		scale, err := admin.AppsV1().Deployments(ns).GetScale(ctx, "big", metav1.GetOptions{})
		if err != nil {
			b.Fatal(err)
		}
		scale.Spec.Replicas = int32(n)
		if _, err := admin.AppsV1().Deployments(ns).UpdateScale(ctx, "big", scale, metav1.UpdateOptions{}); err != nil {
			b.Fatal(err)
		}
		controllertest.Eventually(b, 10*time.Minute, func() (bool, string) {
			pods, err := admin.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{ResourceVersion: "0"})
			if err != nil {
				return false, err.Error()
			}
			return len(pods.Items) >= n, fmt.Sprintf("%d of %d pods", len(pods.Items), n)
		})
		elapsed := time.Since(begin)
		b.StopTimer()
		b.ReportMetric(elapsed.Seconds(), "s-to-all-pods")
		b.ReportMetric(float64(rsReqs.Count("POST", "pods"))/float64(n), "pod-creates/pod")
		if pods, err := admin.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{}); err == nil && len(pods.Items) != n {
			b.Errorf("%d pods exist, want %d", len(pods.Items), n)
		}
		b.Logf("replicaset-controller requests: %s", rsReqs)
		b.Logf("deployment-controller requests: %s", dReqs)
	}
}

// BenchmarkManyDeployments creates HANOK_BENCH_DEPLOYMENTS (default 200)
// Deployments of 10 replicas at once and reports the seconds until every
// ReplicaSet and pod object exists, with 5 workers per controller as the
// manager runs them.
func BenchmarkManyDeployments(b *testing.B) {
	count, replicas := 200, 10
	if v, err := strconv.Atoi(os.Getenv("HANOK_BENCH_DEPLOYMENTS")); err == nil && v > 0 {
		count = v
	}
	s := shared.Get(b)
	for i := 0; i < b.N; i++ {
		ns := s.CreateNamespace(b)
		admin := s.Client()
		ctx := testserver.Context(b)
		controllertest.EnsureDefaultServiceAccount(b, admin, ns)
		rcx, rsReqs := controllertest.NewCountingContext(b, s, "replicaset-controller", ns)
		rsc, _ := replicaset.New(rcx)
		b.Cleanup(controllertest.StartWorkers(b, rcx, rsc, 5))
		dcx, dReqs := controllertest.NewCountingContext(b, s, "deployment-controller", ns)
		dc, _ := deployment.New(dcx)
		b.Cleanup(controllertest.StartWorkers(b, dcx, dc, 5))

		b.ResetTimer()
		begin := time.Now()
		errs := make(chan error, count)
		for j := range count {
			go func() {
				_, err := admin.AppsV1().Deployments(ns).Create(ctx, newDeployment(fmt.Sprintf("d%03d", j), int32(replicas), "nginx"), metav1.CreateOptions{})
				errs <- err
			}()
		}
		for range count {
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
		}
		controllertest.Eventually(b, 10*time.Minute, func() (bool, string) {
			rss, err := admin.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{ResourceVersion: "0"})
			if err != nil {
				return false, err.Error()
			}
			pods, err := admin.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{ResourceVersion: "0"})
			if err != nil {
				return false, err.Error()
			}
			return len(rss.Items) == count && len(pods.Items) >= count*replicas,
				fmt.Sprintf("%d/%d replica sets, %d/%d pods", len(rss.Items), count, len(pods.Items), count*replicas)
		})
		elapsed := time.Since(begin)
		b.StopTimer()
		b.ReportMetric(elapsed.Seconds(), "s-to-all-pods")
		b.ReportMetric(float64(rsReqs.Count("POST", "pods"))/float64(count*replicas), "pod-creates/pod")
		b.ReportMetric(float64(dReqs.Count("POST", "replicasets"))/float64(count), "rs-creates/deployment")
		b.Logf("replicaset-controller requests: %s", rsReqs)
		b.Logf("deployment-controller requests: %s", dReqs)
	}
}
