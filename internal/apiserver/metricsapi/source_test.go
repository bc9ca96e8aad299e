package metricsapi

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	statsv1alpha1 "k8s.io/kubelet/pkg/apis/stats/v1alpha1"
)

// TestSourceCaches: a node's kubelet is asked once per TTL, failures too.
func TestSourceCaches(t *testing.T) {
	var calls atomic.Int32
	fail := false
	fetch := func(_ context.Context, n *corev1.Node) (*statsv1alpha1.Summary, error) {
		calls.Add(1)
		if fail {
			return nil, errors.New("kubelet down")
		}
		now := time.Now()
		return &statsv1alpha1.Summary{Node: statsv1alpha1.NodeStats{NodeName: n.Name, CPU: cpu(now, 1), Memory: mem(now, 1)}}, nil
	}
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := NewSource(fetch, 15*time.Second)
	s.now = func() time.Time { return clock }
	nodes := []*corev1.Node{{ObjectMeta: metav1.ObjectMeta{Name: "a"}}, {ObjectMeta: metav1.ObjectMeta{Name: "b"}}}
	ctx := context.Background()

	if got := s.Readings(ctx, nodes); len(got) != 2 || calls.Load() != 2 {
		t.Fatalf("first read: %d readings, %d fetches", len(got), calls.Load())
	}
	clock = clock.Add(10 * time.Second)
	if got := s.Readings(ctx, nodes); len(got) != 2 || calls.Load() != 2 {
		t.Fatalf("within TTL: %d readings, %d fetches; want the cache", len(got), calls.Load())
	}
	clock = clock.Add(10 * time.Second)
	fail = true
	if got := s.Readings(ctx, nodes); len(got) != 0 || calls.Load() != 4 {
		t.Fatalf("after TTL with kubelets down: %d readings, %d fetches", len(got), calls.Load())
	}
	if got := s.Readings(ctx, nodes); len(got) != 0 || calls.Load() != 4 {
		t.Fatalf("a failed node is asked again within TTL: %d fetches", calls.Load())
	}
	clock = clock.Add(time.Hour)
	s.prune()
	if len(s.nodes) != 0 {
		t.Errorf("stale nodes kept: %d", len(s.nodes))
	}
}
