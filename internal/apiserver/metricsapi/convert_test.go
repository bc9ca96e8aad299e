package metricsapi

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	statsv1alpha1 "k8s.io/kubelet/pkg/apis/stats/v1alpha1"
)

func u64(v uint64) *uint64 { return &v }

func cpu(t time.Time, nano uint64) *statsv1alpha1.CPUStats {
	return &statsv1alpha1.CPUStats{Time: metav1.NewTime(t), UsageNanoCores: u64(nano)}
}

func mem(t time.Time, ws uint64) *statsv1alpha1.MemoryStats {
	return &statsv1alpha1.MemoryStats{Time: metav1.NewTime(t), WorkingSetBytes: u64(ws)}
}

func TestConvert(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t1 := t0.Add(time.Second)
	s := &statsv1alpha1.Summary{
		Node: statsv1alpha1.NodeStats{NodeName: "n", CPU: cpu(t0, 1_500_000_000), Memory: mem(t1, 1<<30)},
		Pods: []statsv1alpha1.PodStats{
			{PodRef: statsv1alpha1.PodReference{Namespace: "a", Name: "complete"}, Containers: []statsv1alpha1.ContainerStats{
				{Name: "c1", CPU: cpu(t0, 1_000_000), Memory: mem(t0, 10<<20)},
				{Name: "c2", CPU: cpu(t1, 0), Memory: mem(t0, 0)},
			}},
			{PodRef: statsv1alpha1.PodReference{Namespace: "a", Name: "partial"}, Containers: []statsv1alpha1.ContainerStats{
				{Name: "c1", CPU: cpu(t0, 1), Memory: mem(t0, 1)},
				{Name: "c2", CPU: &statsv1alpha1.CPUStats{Time: metav1.NewTime(t0)}, Memory: mem(t0, 1)},
			}},
			{PodRef: statsv1alpha1.PodReference{Namespace: "a", Name: "empty"}},
		},
	}
	r := Convert(s)
	if r.Node == nil || !r.Node.timestamp.Equal(t1) {
		t.Fatalf("node reading %+v", r.Node)
	}
	if got := r.Node.usage[corev1.ResourceCPU]; got.String() != "1500m" {
		t.Errorf("node cpu %s, want 1500m", got.String())
	}
	if got := r.Node.usage[corev1.ResourceMemory]; got.String() != "1Gi" {
		t.Errorf("node memory %s, want 1Gi", got.String())
	}
	if len(r.Pods) != 1 {
		t.Fatalf("pods %v, want only the complete one", r.Pods)
	}
	p := r.Pods[podKey{"a", "complete"}]
	if len(p.containers) != 2 || !p.timestamp.Equal(t1) {
		t.Fatalf("pod reading %+v", p)
	}
	if got := p.containers[0].Usage[corev1.ResourceCPU]; got.String() != "1m" {
		t.Errorf("container cpu %s, want 1m", got.String())
	}
	if got := p.containers[0].Usage[corev1.ResourceMemory]; got.String() != "10Mi" {
		t.Errorf("container memory %s, want 10Mi", got.String())
	}

	if r := Convert(&statsv1alpha1.Summary{Node: statsv1alpha1.NodeStats{CPU: cpu(t0, 1)}}); r.Node != nil {
		t.Errorf("a node without memory got a reading: %+v", r.Node)
	}
}
