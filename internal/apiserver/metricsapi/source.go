package metricsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	statsv1alpha1 "k8s.io/kubelet/pkg/apis/stats/v1alpha1"

	"github.com/hanok-dev/hanok/internal/apiserver/kubeletproxy"
)

var log = logrus.WithField("component", "metrics-api")

// DefaultTTL is how long a node's summary is served before it is fetched
// again: kubectl top twice in a row asks its kubelet once.
const DefaultTTL = 15 * time.Second

// fetchTimeout bounds one kubelet's answer, so a node that hangs costs a
// request at most this.
const fetchTimeout = 5 * time.Second

// maxSummary bounds a summary's size (a node with hundreds of pods is a
// few hundred kilobytes).
const maxSummary = 32 << 20

// Fetch reads a node's summary; Source uses the kubelet's /stats/summary
// (KubeletSummary), tests may give another.
type Fetch func(ctx context.Context, node *corev1.Node) (*statsv1alpha1.Summary, error)

// KubeletSummary fetches /stats/summary from node's kubelet.
func KubeletSummary(kubelets *kubeletproxy.Client) Fetch {
	return func(ctx context.Context, node *corev1.Node) (*statsv1alpha1.Summary, error) {
		resp, err := kubelets.Get(ctx, node, "/stats/summary", map[string][]string{"only_cpu_and_memory": {"true"}}, false,
			corev1.Resource("nodes/stats"), node.Name)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		s := &statsv1alpha1.Summary{}
		if err := json.NewDecoder(io.LimitReader(resp.Body, maxSummary)).Decode(s); err != nil {
			return nil, fmt.Errorf("decoding the summary of node %s: %w", node.Name, err)
		}
		return s, nil
	}
}

// Source caches each node's readings for TTL. A node whose kubelet fails
// is not asked again before TTL either; it has no readings meanwhile.
type Source struct {
	fetch Fetch
	ttl   time.Duration
	now   func() time.Time

	mu    sync.Mutex
	nodes map[string]*nodeEntry
}

type nodeEntry struct {
	mu       sync.Mutex // held while fetching: callers for the same node wait for one fetch
	fetched  time.Time
	readings *Readings // nil after a failed fetch
}

// NewSource is a Source over fetch; ttl 0 means DefaultTTL.
func NewSource(fetch Fetch, ttl time.Duration) *Source {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return &Source{fetch: fetch, ttl: ttl, now: time.Now, nodes: map[string]*nodeEntry{}}
}

// Readings returns the readings of each of nodes that has some, fetching
// stale ones in parallel.
func (s *Source) Readings(ctx context.Context, nodes []*corev1.Node) map[string]*Readings {
	out := make(map[string]*Readings, len(nodes))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := s.node(ctx, n); r != nil {
				mu.Lock()
				out[n.Name] = r
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	s.prune()
	return out
}

// node is one node's readings, fetched if stale.
func (s *Source) node(ctx context.Context, n *corev1.Node) *Readings {
	s.mu.Lock()
	e := s.nodes[n.Name]
	if e == nil {
		e = &nodeEntry{}
		s.nodes[n.Name] = e
	}
	s.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.fetched.IsZero() && s.now().Sub(e.fetched) < s.ttl {
		return e.readings
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
	defer cancel()
	summary, err := s.fetch(fctx, n)
	e.fetched = s.now()
	if err != nil {
		log.WithField("node", n.Name).Debugf("no resource metrics: %v", err)
		e.readings = nil
		return nil
	}
	r := Convert(summary)
	e.readings = &r
	return e.readings
}

// prune drops nodes not asked about for a while (deleted ones, mostly),
// so the cache holds only nodes that are still read.
func (s *Source) prune() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, e := range s.nodes {
		if e.mu.TryLock() {
			if s.now().Sub(e.fetched) > 10*s.ttl {
				delete(s.nodes, name)
			}
			e.mu.Unlock()
		}
	}
}
