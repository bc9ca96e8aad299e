package controlplane_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/hanok-dev/hanok/internal/controlplane"
	"github.com/hanok-dev/hanok/internal/testserver"
)

// BenchmarkCreateLatency compares create latency through the whole request
// pipeline (x509 authentication, the Node and RBAC authorizers, admission)
// with the same server running AlwaysAllow and no admission. The client is
// a user bound to edit, not system:masters, so RBAC really decides. Creates
// alternate between the two servers, so a noisy neighbour slows both alike;
// it reports each side's p50 and p99 and the chain's p50 overhead.
//
//	go test -run '^$' -bench CreateLatency -benchtime 2000x ./internal/controlplane/
func BenchmarkCreateLatency(b *testing.B) {
	chain := benchServer(b)
	baseline := benchServer(b, testserver.WithControlplane(func(c *controlplane.Config) {
		c.AlwaysAllow, c.DisableAdmission = true, true
	}))
	kinds := []struct {
		name   string
		create func(ctx context.Context, c kubernetes.Interface, ns string, i int) error
	}{
		{"configmaps", func(ctx context.Context, c kubernetes.Interface, ns string, i int) error {
			cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%d", i)}, Data: map[string]string{"k": "v"}}
			_, err := c.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{})
			return err
		}},
		// A pod as clients send it: admission adds the service-account
		// volume and the not-ready/unreachable tolerations, so the chain's
		// side stores a bigger object (more to encode, store and track in
		// managedFields) than the baseline's.
		{"pods", func(ctx context.Context, c kubernetes.Interface, ns string, i int) error {
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("pod-%d", i)},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
			_, err := c.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
			return err
		}},
		// A pod that already carries what admission would add: both sides
		// store the same object, so the difference is the chain's own work.
		{"pods-admitted", func(ctx context.Context, c kubernetes.Interface, ns string, i int) error {
			_, err := c.CoreV1().Pods(ns).Create(ctx, admittedPod(fmt.Sprintf("admitted-%d", i)), metav1.CreateOptions{})
			return err
		}},
	}
	for _, kind := range kinds {
		b.Run(kind.name, func(b *testing.B) {
			ctx := context.Background()
			var withChain, without []time.Duration
			b.ResetTimer()
			for n := 0; n < b.N; n++ {
				// Benchmarks rerun with growing b.N; names must not repeat.
				benchSeq++
				i := benchSeq
				for _, side := range []struct {
					s   *benchSide
					out *[]time.Duration
				}{{chain, &withChain}, {baseline, &without}} {
					start := time.Now()
					if err := kind.create(ctx, side.s.client, side.s.ns, i); err != nil {
						b.Fatal(err)
					}
					*side.out = append(*side.out, time.Since(start))
				}
			}
			b.StopTimer()
			c50, b50 := percentile(withChain, 50), percentile(without, 50)
			b.ReportMetric(micros(c50), "chain-p50-µs")
			b.ReportMetric(micros(b50), "baseline-p50-µs")
			b.ReportMetric(micros(percentile(withChain, 99)), "chain-p99-µs")
			b.ReportMetric(micros(percentile(without, 99)), "baseline-p99-µs")
			b.ReportMetric(100*(micros(c50)-micros(b50))/micros(b50), "overhead-%")
			b.ReportMetric(0, "ns/op") // the pair's time means nothing on its own
		})
	}
}

// benchSeq numbers created objects across the benchmark's runs.
var benchSeq int

// benchSide is one server of the comparison, with a user bound to edit in
// a namespace of its own.
type benchSide struct {
	client kubernetes.Interface
	ns     string
}

func benchServer(b *testing.B, opts ...testserver.Option) *benchSide {
	b.Helper()
	s := testserver.Start(b, opts...)
	ns := s.CreateNamespace(b)
	ctx := context.Background()
	bindClusterRole(b, s.Client(), ns, "bench", "edit")
	client := s.ClientFor(b, "bench")
	eventually(b, "the bench user may create", func() error {
		_, err := client.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{})
		return err
	})
	return &benchSide{client: client, ns: ns}
}

func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)*p/100]
}

func micros(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

// admittedPod is a pod with the service-account volume and tolerations the
// admission chain would give it, which the chain then leaves as they are.
func admittedPod(name string) *corev1.Pod {
	seconds := int64(300)
	mount := "/var/run/secrets/kubernetes.io/serviceaccount"
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.PodSpec{
		ServiceAccountName: "default",
		Containers: []corev1.Container{{Name: "c", Image: "nginx",
			VolumeMounts: []corev1.VolumeMount{{Name: "kube-api-access", MountPath: mount, ReadOnly: true}}}},
		Volumes: []corev1.Volume{{Name: "kube-api-access", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
			Sources: []corev1.VolumeProjection{
				{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token"}},
				{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "kube-root-ca.crt"},
					Items: []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}}},
				{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{{Path: "namespace",
					FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"}}}}},
			}}}}},
		Tolerations: []corev1.Toleration{
			{Key: "node.kubernetes.io/not-ready", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &seconds},
			{Key: "node.kubernetes.io/unreachable", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &seconds},
		},
	}}
}
