package server

import (
	"net/http"
	"strconv"

	statsapi "k8s.io/kubelet/pkg/apis/stats/v1alpha1"
)

// statsSummary serves GET /stats/summary[?only_cpu_and_memory=true], the
// source of metrics.k8s.io (kubectl top) and of metrics-server.
func (s *server) statsSummary(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Stats == nil {
		http.Error(w, "stats are not available on this node", http.StatusServiceUnavailable)
		return
	}
	summary, err := s.cfg.Stats.Summary(r.Context())
	if err != nil {
		http.Error(w, "collecting stats: "+err.Error(), http.StatusInternalServerError)
		return
	}
	if only, _ := strconv.ParseBool(r.URL.Query().Get("only_cpu_and_memory")); only {
		summary = cpuAndMemoryOnly(summary)
	}
	writeJSON(w, summary)
}

// cpuAndMemoryOnly keeps what metrics pipelines read: CPU and memory of the
// node, its pods and their containers.
func cpuAndMemoryOnly(in *statsapi.Summary) *statsapi.Summary {
	out := &statsapi.Summary{Node: statsapi.NodeStats{
		NodeName: in.Node.NodeName, StartTime: in.Node.StartTime, CPU: in.Node.CPU, Memory: in.Node.Memory,
	}}
	for _, sc := range in.Node.SystemContainers {
		out.Node.SystemContainers = append(out.Node.SystemContainers, statsapi.ContainerStats{
			Name: sc.Name, StartTime: sc.StartTime, CPU: sc.CPU, Memory: sc.Memory,
		})
	}
	out.Pods = make([]statsapi.PodStats, 0, len(in.Pods))
	for _, p := range in.Pods {
		np := statsapi.PodStats{PodRef: p.PodRef, StartTime: p.StartTime, CPU: p.CPU, Memory: p.Memory}
		for _, c := range p.Containers {
			np.Containers = append(np.Containers, statsapi.ContainerStats{Name: c.Name, StartTime: c.StartTime, CPU: c.CPU, Memory: c.Memory})
		}
		out.Pods = append(out.Pods, np)
	}
	return out
}
