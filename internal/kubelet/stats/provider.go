package stats

import (
	"context"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	internalapi "k8s.io/cri-api/pkg/apis"
	statsapi "k8s.io/kubelet/pkg/apis/stats/v1alpha1"
)

// Config says where the node's numbers come from.
type Config struct {
	NodeName   string
	Runtime    internalapi.RuntimeService // nil: node stats only
	RootDir    string                     // kubelet root: nodeFs
	ImageFsDir string                     // containerd root: imageFs
	PodLogsDir string                     // optional: <dir>/<ns>_<pod>_<uid>/<container>/ for container log usage
	CgroupRoot string                     // e.g. /hanok/<node>; informational
}

// Sampling: the background loop refreshes CPU counters every
// sampleInterval so a rate is ready when asked; a rate needs two samples
// at least minWindow apart (shorter windows reuse the last rate).
const (
	sampleInterval = 10 * time.Second
	minWindow      = 2 * time.Second
	criTimeout     = 10 * time.Second
)

// Provider produces stats summaries.
type Provider struct {
	cfg   Config
	host  host
	rates *rateTracker
	now   func() time.Time
	log   *logrus.Entry

	collectMu sync.Mutex // one collection at a time: the rate tracker's sweep sees whole samples
	runOnce   sync.Once
}

// New returns a Provider.
func New(cfg Config) *Provider {
	return &Provider{
		cfg:   cfg,
		host:  host{procDir: "/proc", cgroupDir: "/sys/fs/cgroup"},
		rates: newRateTracker(int64(minWindow)),
		now:   time.Now,
		log:   logrus.WithField("component", "kubelet-stats"),
	}
}

// Run samples every 10s until ctx ends, so CPU rates are always fresh.
// Calling it again while it runs does nothing.
func (p *Provider) Run(ctx context.Context) {
	p.runOnce.Do(func() {
		t := time.NewTicker(sampleInterval)
		defer t.Stop()
		for {
			if _, err := p.Summary(ctx); err != nil && ctx.Err() == nil {
				p.log.WithError(err).Debug("sampling stats")
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
}

// Summary returns the node and pod stats, read now.
func (p *Provider) Summary(ctx context.Context) (*statsapi.Summary, error) {
	p.collectMu.Lock()
	defer p.collectMu.Unlock()

	now := p.now()
	node := p.nodeStats(now)
	fsc := fsContext{nodeFs: node.Fs, podLogsDir: p.cfg.PodLogsDir, now: now}
	if node.Runtime != nil {
		fsc.imageFs = node.Runtime.ImageFs
	}
	summary := &statsapi.Summary{Node: node, Pods: []statsapi.PodStats{}}
	if p.cfg.Runtime == nil {
		p.rates.sweep()
		return summary, nil
	}
	cctx, cancel := context.WithTimeout(ctx, criTimeout)
	defer cancel()
	snap, err := p.readCRI(cctx)
	if err != nil {
		return summary, err
	}
	summary.Pods = podStats(snap, p.rates, fsc)
	// Forget objects that are gone, only after a complete reading: a
	// failed one must not reset every container's rate.
	p.rates.sweep()
	return summary, nil
}

// nodeStats reads the node's CPU, memory, network, filesystems and
// process limits; a part that cannot be read is left out.
func (p *Provider) nodeStats(now time.Time) statsapi.NodeStats {
	ts := metav1.NewTime(now)
	n := statsapi.NodeStats{NodeName: p.cfg.NodeName}
	if s, boot, err := p.host.cpu(now); err == nil {
		n.StartTime = metav1.NewTime(boot)
		total := s.usage
		n.CPU = &statsapi.CPUStats{Time: ts, UsageCoreNanoSeconds: &total}
		if r, ok := p.rates.observe("node", s); ok {
			n.CPU.UsageNanoCores = &r
		}
	}
	if m, err := p.host.memory(); err == nil {
		n.Memory = &statsapi.MemoryStats{Time: ts, UsageBytes: &m.usage, WorkingSetBytes: &m.workingSet, AvailableBytes: &m.available}
		if m.hasRSS {
			n.Memory.RSSBytes = &m.rss
		}
		if m.hasFaults {
			n.Memory.PageFaults, n.Memory.MajorPageFaults = &m.pageFaults, &m.majorPageFaults
		}
	}
	if ifs, def := p.host.network(); len(ifs) > 0 {
		n.Network = &statsapi.NetworkStats{Time: ts}
		for _, i := range ifs {
			is := statsapi.InterfaceStats{Name: i.name, RxBytes: &i.rxBytes, RxErrors: &i.rxErrors, TxBytes: &i.txBytes, TxErrors: &i.txErrs}
			n.Network.Interfaces = append(n.Network.Interfaces, is)
			if i.name == def {
				n.Network.InterfaceStats = is
			}
		}
	}
	if p.cfg.RootDir != "" {
		if fs, err := statfs(p.cfg.RootDir, now); err == nil {
			n.Fs = fs
		}
	}
	if p.cfg.ImageFsDir != "" {
		if fs, err := statfs(p.cfg.ImageFsDir, now); err == nil {
			n.Runtime = &statsapi.RuntimeStats{ImageFs: fs}
		}
	}
	if maxPID, procs, ok := p.host.rlimit(); ok {
		n.Rlimit = &statsapi.RlimitStats{Time: ts, MaxPID: &maxPID, NumOfRunningProcesses: &procs}
	}
	return n
}
