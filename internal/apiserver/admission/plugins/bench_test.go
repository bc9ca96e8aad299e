package plugins

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// BenchmarkChainCreatePod is the chain's cost per pod create in the
// common case (a namespace with quotas and limits, nothing refused), to
// set against a create's latency: it runs on every write.
func BenchmarkChainCreatePod(b *testing.B) {
	chain, ns := fuzzChain(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := pod(ns, "p", reqs(list("memory", "64Mi"), nil))
		p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{}
		a := asUser(createPod(p), "alice")
		a.DryRun = true // charging goes through the (fake) API, measured elsewhere
		if err := chain.Admit(ctx, a); err != nil {
			b.Fatal(err)
		}
		if err := chain.Validate(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
}
