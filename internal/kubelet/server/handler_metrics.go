package server

import (
	"net/http"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	statsapi "k8s.io/kubelet/pkg/apis/stats/v1alpha1"
)

// resourceMetrics serves GET /metrics/resource: the summary's CPU and
// memory under upstream's metric names, as metrics-server scrapes them.
func (s *server) resourceMetrics(w http.ResponseWriter, r *http.Request) {
	var summary *statsapi.Summary
	var err error
	if s.cfg.Stats != nil {
		summary, err = s.cfg.Stats.Summary(r.Context())
	}
	w.Header().Set("Content-Type", promContentType)
	_, _ = w.Write(resourceMetricsText(summary, err != nil || summary == nil))
}

// resourceMetricsText renders a summary; pure, so tests check the text.
func resourceMetricsText(summary *statsapi.Summary, scrapeError bool) []byte {
	var p promWriter
	if summary != nil {
		n := summary.Node
		p.family("node_cpu_usage_seconds_total", "Cumulative cpu time consumed by the node in core-seconds", "counter")
		if n.CPU != nil && n.CPU.UsageCoreNanoSeconds != nil {
			p.sample("node_cpu_usage_seconds_total", float64(*n.CPU.UsageCoreNanoSeconds)/1e9, n.CPU.Time.Time)
		}
		p.family("node_memory_working_set_bytes", "Current working set of the node in bytes", "gauge")
		if n.Memory != nil && n.Memory.WorkingSetBytes != nil {
			p.sample("node_memory_working_set_bytes", float64(*n.Memory.WorkingSetBytes), n.Memory.Time.Time)
		}
		p.family("container_cpu_usage_seconds_total", "Cumulative cpu time consumed by the container in core-seconds", "counter")
		for _, pod := range summary.Pods {
			for _, c := range pod.Containers {
				if c.CPU != nil && c.CPU.UsageCoreNanoSeconds != nil {
					p.sample("container_cpu_usage_seconds_total", float64(*c.CPU.UsageCoreNanoSeconds)/1e9, c.CPU.Time.Time,
						"container", c.Name, "namespace", pod.PodRef.Namespace, "pod", pod.PodRef.Name)
				}
			}
		}
		p.family("container_memory_working_set_bytes", "Current working set of the container in bytes", "gauge")
		for _, pod := range summary.Pods {
			for _, c := range pod.Containers {
				if c.Memory != nil && c.Memory.WorkingSetBytes != nil {
					p.sample("container_memory_working_set_bytes", float64(*c.Memory.WorkingSetBytes), c.Memory.Time.Time,
						"container", c.Name, "namespace", pod.PodRef.Namespace, "pod", pod.PodRef.Name)
				}
			}
		}
		p.family("container_start_time_seconds", "Start time of the container since unix epoch in seconds", "gauge")
		for _, pod := range summary.Pods {
			for _, c := range pod.Containers {
				if !c.StartTime.IsZero() {
					p.sample("container_start_time_seconds", float64(c.StartTime.UnixNano())/1e9, time.Time{},
						"container", c.Name, "namespace", pod.PodRef.Namespace, "pod", pod.PodRef.Name)
				}
			}
		}
		p.family("pod_cpu_usage_seconds_total", "Cumulative cpu time consumed by the pod in core-seconds", "counter")
		for _, pod := range summary.Pods {
			if pod.CPU != nil && pod.CPU.UsageCoreNanoSeconds != nil {
				p.sample("pod_cpu_usage_seconds_total", float64(*pod.CPU.UsageCoreNanoSeconds)/1e9, pod.CPU.Time.Time,
					"namespace", pod.PodRef.Namespace, "pod", pod.PodRef.Name)
			}
		}
		p.family("pod_memory_working_set_bytes", "Current working set of the pod in bytes", "gauge")
		for _, pod := range summary.Pods {
			if pod.Memory != nil && pod.Memory.WorkingSetBytes != nil {
				p.sample("pod_memory_working_set_bytes", float64(*pod.Memory.WorkingSetBytes), pod.Memory.Time.Time,
					"namespace", pod.PodRef.Namespace, "pod", pod.PodRef.Name)
			}
		}
	}
	p.family("resource_scrape_error", "1 if there was an error while getting container metrics, 0 otherwise", "gauge")
	v := 0.0
	if scrapeError {
		v = 1
	}
	p.sample("resource_scrape_error", v, time.Time{})
	return p.b.Bytes()
}

// kubeletMetrics serves GET /metrics: a few of the kubelet's own metrics.
func (s *server) kubeletMetrics(w http.ResponseWriter, r *http.Request) {
	var p promWriter
	running := 0
	for _, pod := range s.cfg.Provider.Pods() {
		if pod != nil && pod.Status.Phase != v1.PodSucceeded && pod.Status.Phase != v1.PodFailed {
			running++
		}
	}
	p.family("kubelet_running_pods", "Number of pods that have a running pod sandbox", "gauge")
	p.sample("kubelet_running_pods", float64(running), time.Time{})
	s.metrics.write(&p)
	p.family("go_goroutines", "Number of goroutines that currently exist.", "gauge")
	p.sample("go_goroutines", float64(runtime.NumGoroutine()), time.Time{})
	w.Header().Set("Content-Type", promContentType)
	_, _ = w.Write(p.b.Bytes())
}

// serverMetrics counts the server's requests by method and path bucket.
type serverMetrics struct {
	start    time.Time
	mu       sync.Mutex
	requests map[requestKey]uint64
	inflight map[requestKey]int64
}

type requestKey struct{ method, path string }

func newServerMetrics() *serverMetrics {
	return &serverMetrics{start: time.Now(), requests: map[requestKey]uint64{}, inflight: map[requestKey]int64{}}
}

// pathBuckets are the first path segments counted by name; the rest is
// "other", so metric cardinality cannot grow with pod names.
var pathBuckets = map[string]bool{
	"healthz": true, "pods": true, "containerLogs": true, "logs": true, "exec": true, "attach": true,
	"portForward": true, "run": true, "stats": true, "metrics": true,
}

func (m *serverMetrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seg := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)[0]
		if !pathBuckets[seg] {
			seg = "other"
		}
		k := requestKey{method: r.Method, path: seg}
		m.mu.Lock()
		m.requests[k]++
		m.inflight[k]++
		m.mu.Unlock()
		defer func() {
			m.mu.Lock()
			m.inflight[k]--
			m.mu.Unlock()
		}()
		next.ServeHTTP(w, r)
	})
}

func (m *serverMetrics) write(p *promWriter) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p.family("kubelet_http_requests_total", "Number of the http requests received since the server started", "counter")
	for _, k := range sortedKeys(m.requests) {
		p.sample("kubelet_http_requests_total", float64(m.requests[k]), time.Time{}, "method", k.method, "path", k.path, "server_type", "readwrite")
	}
	p.family("kubelet_http_inflight_requests", "Number of the inflight http requests", "gauge")
	for _, k := range sortedKeys(m.inflight) {
		p.sample("kubelet_http_inflight_requests", float64(m.inflight[k]), time.Time{}, "method", k.method, "path", k.path, "server_type", "readwrite")
	}
	p.family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge")
	p.sample("process_start_time_seconds", float64(m.start.Unix()), time.Time{})
}

// sortedKeys orders samples so the exposition is stable between scrapes.
func sortedKeys[V any](m map[requestKey]V) []requestKey {
	keys := make([]requestKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].path != keys[j].path {
			return keys[i].path < keys[j].path
		}
		return keys[i].method < keys[j].method
	})
	return keys
}
