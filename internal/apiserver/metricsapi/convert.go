package metricsapi

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	statsv1alpha1 "k8s.io/kubelet/pkg/apis/stats/v1alpha1"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

// Window is the window every reading is reported over: the kubelet
// computes usageNanoCores from samples about this far apart.
const Window = 10 * time.Second

// podKey names a pod in a summary.
type podKey struct{ namespace, name string }

// nodeReading and podReading are one summary's figures, before they are
// matched with the objects they describe.
type nodeReading struct {
	timestamp time.Time
	usage     corev1.ResourceList
}

type podReading struct {
	timestamp  time.Time
	containers []metricsv1beta1.ContainerMetrics
}

// Readings is what one kubelet's summary says.
type Readings struct {
	Node *nodeReading // nil when the summary lacks node CPU or memory
	Pods map[podKey]podReading
}

// Convert reads a summary: node usage, and each pod whose every container
// reports CPU and memory (as metrics-server, a pod with a container
// missing is left out rather than under-reported).
func Convert(s *statsv1alpha1.Summary) Readings {
	out := Readings{Pods: map[podKey]podReading{}}
	if usage, ts, ok := usageOf(s.Node.CPU, s.Node.Memory); ok {
		out.Node = &nodeReading{timestamp: ts, usage: usage}
	}
	for _, p := range s.Pods {
		if len(p.Containers) == 0 {
			continue
		}
		reading := podReading{}
		complete := true
		for _, c := range p.Containers {
			usage, ts, ok := usageOf(c.CPU, c.Memory)
			if !ok {
				complete = false
				break
			}
			if ts.After(reading.timestamp) {
				reading.timestamp = ts
			}
			reading.containers = append(reading.containers, metricsv1beta1.ContainerMetrics{Name: c.Name, Usage: usage})
		}
		if complete {
			out.Pods[podKey{p.PodRef.Namespace, p.PodRef.Name}] = reading
		}
	}
	return out
}

// usageOf is cpu and memory from the two stats, stamped with the later
// of their times; false when either figure is missing.
func usageOf(cpu *statsv1alpha1.CPUStats, mem *statsv1alpha1.MemoryStats) (corev1.ResourceList, time.Time, bool) {
	if cpu == nil || cpu.UsageNanoCores == nil || mem == nil || mem.WorkingSetBytes == nil {
		return nil, time.Time{}, false
	}
	ts := cpu.Time.Time
	if mem.Time.After(ts) {
		ts = mem.Time.Time
	}
	return corev1.ResourceList{
		corev1.ResourceCPU:    *resource.NewScaledQuantity(int64(*cpu.UsageNanoCores), resource.Nano),
		corev1.ResourceMemory: *resource.NewQuantity(int64(*mem.WorkingSetBytes), resource.BinarySI),
	}, ts, true
}

// nodeMetrics is node's NodeMetrics from its reading.
func nodeMetrics(node *corev1.Node, r *nodeReading, now time.Time) metricsv1beta1.NodeMetrics {
	return metricsv1beta1.NodeMetrics{
		ObjectMeta: metav1.ObjectMeta{Name: node.Name, Labels: node.Labels, CreationTimestamp: metav1.NewTime(now)},
		Timestamp:  metav1.NewTime(r.timestamp), Window: metav1.Duration{Duration: Window},
		Usage: r.usage,
	}
}

// podMetrics is pod's PodMetrics from its reading.
func podMetrics(pod *corev1.Pod, r podReading, now time.Time) metricsv1beta1.PodMetrics {
	return metricsv1beta1.PodMetrics{
		ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace, Labels: pod.Labels, CreationTimestamp: metav1.NewTime(now)},
		Timestamp:  metav1.NewTime(r.timestamp), Window: metav1.Duration{Duration: Window},
		Containers: r.containers,
	}
}
