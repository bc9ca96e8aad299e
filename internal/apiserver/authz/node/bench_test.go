package node

import (
	"context"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/authz"
)

// benchPods puts 100 pods on node n1 (and 100 on n2), each with a secret
// volume, a configmap volume, a projected token volume, two env references
// and a claim: a busy node.
func benchPods() []any {
	var objs []any
	for _, node := range []string{"n1", "n2"} {
		for i := 0; i < 100; i++ {
			id := fmt.Sprintf("%s-%d", node, i)
			objs = append(objs, pod(fmt.Sprintf("ns-%d", i%10), "pod-"+id, node,
				vol("secret", corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "secret-" + id}}),
				vol("config", corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "config-" + id}}}),
				vol("token", corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
					{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token"}},
					{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "kube-root-ca.crt"}}},
				}}}),
				vol("data", corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "claim-" + id}}),
				env(secretKey("env-secret-"+id)),
				env(corev1.EnvVar{Name: "PLAIN", Value: "x"}),
			))
		}
	}
	return objs
}

func BenchmarkAuthorize(b *testing.B) {
	z := newStores(b, benchPods()...).authorizer()
	ctx := context.Background()
	cases := []struct {
		name string
		attr authz.Attributes
		want authz.Decision
	}{
		// The last pod's reference: the whole node is scanned.
		{"secret/used-by-last-pod", res("get", "", "secrets", "", "ns-9", "env-secret-n1-99"), authz.Allow},
		{"secret/of-other-node", res("get", "", "secrets", "", "ns-9", "secret-n2-99"), authz.NoOpinion},
		{"configmap/used", res("get", "", "configmaps", "", "ns-5", "config-n1-55"), authz.Allow},
		{"pod-status/own", res("patch", "", "pods", "status", "ns-9", "pod-n1-99"), authz.Allow},
		{"token/own", res("create", "", "serviceaccounts", "token", "ns-9", "default"), authz.Allow},
		{"lease/own", res("update", "coordination.k8s.io", "leases", "", LeaseNamespace, "n1"), authz.Allow},
		{"static-rule/events", res("create", "", "events", "", "ns-1", ""), authz.Allow},
	}
	for _, c := range cases {
		c.attr.User = nodeUser("n1")
		b.Run(c.name, func(b *testing.B) {
			if d, reason, _ := z.Authorize(ctx, c.attr); d != c.want {
				b.Fatalf("decision %v (%s), want %v", d, reason, c.want)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				_, _, _ = z.Authorize(ctx, c.attr)
			}
		})
	}
}

// BenchmarkSnapshotRebuild is the cost paid once after a change to the
// node's pods: 100 pods, their claims looked up (none exist here).
func BenchmarkSnapshotRebuild(b *testing.B) {
	z := newStores(b, benchPods()...).authorizer()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		z.InvalidateNode("n1")
		if _, err := z.refsFor("n1"); err != nil {
			b.Fatal(err)
		}
	}
}
