package stats

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	statsapi "k8s.io/kubelet/pkg/apis/stats/v1alpha1"
)

// criSnapshot is one reading of the runtime: ready sandboxes, running
// containers and their stats.
type criSnapshot struct {
	sandboxes    []*runtimeapi.PodSandbox
	containers   []*runtimeapi.Container
	cstats       map[string]*runtimeapi.ContainerStats  // by container ID
	sandboxStats map[string]*runtimeapi.PodSandboxStats // by sandbox ID; may be empty
}

func (p *Provider) readCRI(ctx context.Context) (criSnapshot, error) {
	rt := p.cfg.Runtime
	var snap criSnapshot
	var err error
	snap.sandboxes, err = rt.ListPodSandbox(ctx, &runtimeapi.PodSandboxFilter{
		State: &runtimeapi.PodSandboxStateValue{State: runtimeapi.PodSandboxState_SANDBOX_READY}})
	if err != nil {
		return snap, fmt.Errorf("listing pod sandboxes: %w", err)
	}
	snap.containers, err = rt.ListContainers(ctx, &runtimeapi.ContainerFilter{
		State: &runtimeapi.ContainerStateValue{State: runtimeapi.ContainerState_CONTAINER_RUNNING}})
	if err != nil {
		return snap, fmt.Errorf("listing containers: %w", err)
	}
	cs, err := rt.ListContainerStats(ctx, &runtimeapi.ContainerStatsFilter{})
	if err != nil {
		return snap, fmt.Errorf("listing container stats: %w", err)
	}
	snap.cstats = map[string]*runtimeapi.ContainerStats{}
	for _, s := range cs {
		if s.GetAttributes() != nil {
			snap.cstats[s.GetAttributes().GetId()] = s
		}
	}
	// Pod-level stats (the sandbox cgroup and its network) are optional in
	// CRI; without them the pod is the sum of its containers.
	snap.sandboxStats = map[string]*runtimeapi.PodSandboxStats{}
	if ps, err := rt.ListPodSandboxStats(ctx, &runtimeapi.PodSandboxStatsFilter{}); err == nil {
		for _, s := range ps {
			if s.GetAttributes() != nil {
				snap.sandboxStats[s.GetAttributes().GetId()] = s
			}
		}
	}
	return snap, nil
}

// fsContext is what container and pod filesystem stats are measured
// against.
type fsContext struct {
	nodeFs, imageFs *statsapi.FsStats
	podLogsDir      string
	now             time.Time
}

// podStats turns a snapshot into the summary's pods, newest container per
// name, sorted by namespace and name. CPU rates come from the tracker.
func podStats(snap criSnapshot, rates *rateTracker, fsc fsContext) []statsapi.PodStats {
	bySandbox := map[string][]*runtimeapi.Container{}
	for _, c := range snap.containers {
		bySandbox[c.GetPodSandboxId()] = append(bySandbox[c.GetPodSandboxId()], c)
	}
	out := make([]statsapi.PodStats, 0, len(snap.sandboxes))
	for _, sb := range snap.sandboxes {
		md := sb.GetMetadata()
		if md == nil {
			continue
		}
		ps := statsapi.PodStats{
			PodRef:    statsapi.PodReference{Name: md.GetName(), Namespace: md.GetNamespace(), UID: md.GetUid()},
			StartTime: metav1.NewTime(time.Unix(0, sb.GetCreatedAt())),
		}
		logDir := ""
		if fsc.podLogsDir != "" {
			logDir = filepath.Join(fsc.podLogsDir, fmt.Sprintf("%s_%s_%s", md.GetNamespace(), md.GetName(), md.GetUid()))
		}
		for _, c := range newestPerName(bySandbox[sb.GetId()]) {
			ps.Containers = append(ps.Containers, containerStats(c, snap.cstats[c.GetId()], rates, fsc, logDir))
		}
		sbs := snap.sandboxStats[sb.GetId()].GetLinux()
		if sbs != nil && sbs.GetCpu() != nil {
			ps.CPU = cpuStats(sbs.GetCpu(), "pod/"+sb.GetId(), rates)
		} else {
			ps.CPU = sumCPU(ps.Containers)
		}
		if sbs != nil && sbs.GetMemory() != nil {
			ps.Memory = memoryStats(sbs.GetMemory())
		} else {
			ps.Memory = sumMemory(ps.Containers)
		}
		if sbs != nil && sbs.GetNetwork() != nil {
			ps.Network = networkStats(sbs.GetNetwork())
		}
		if sbs != nil && sbs.GetProcess() != nil && sbs.GetProcess().GetProcessCount() != nil {
			n := sbs.GetProcess().GetProcessCount().GetValue()
			ps.ProcessStats = &statsapi.ProcessStats{ProcessCount: &n}
		}
		ps.EphemeralStorage = ephemeralStorage(ps.Containers, fsc)
		out = append(out, ps)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].PodRef.Namespace != out[j].PodRef.Namespace {
			return out[i].PodRef.Namespace < out[j].PodRef.Namespace
		}
		return out[i].PodRef.Name < out[j].PodRef.Name
	})
	return out
}

// newestPerName keeps the newest running container of each name (an old
// attempt may linger for a moment during a restart), sorted by name.
func newestPerName(cs []*runtimeapi.Container) []*runtimeapi.Container {
	newest := map[string]*runtimeapi.Container{}
	for _, c := range cs {
		name := c.GetMetadata().GetName()
		if cur, ok := newest[name]; !ok || c.GetCreatedAt() > cur.GetCreatedAt() {
			newest[name] = c
		}
	}
	out := make([]*runtimeapi.Container, 0, len(newest))
	for _, c := range newest {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].GetMetadata().GetName() < out[j].GetMetadata().GetName() })
	return out
}

func containerStats(c *runtimeapi.Container, s *runtimeapi.ContainerStats, rates *rateTracker, fsc fsContext, podLogDir string) statsapi.ContainerStats {
	name := c.GetMetadata().GetName()
	out := statsapi.ContainerStats{Name: name, StartTime: metav1.NewTime(time.Unix(0, c.GetCreatedAt()))}
	if s != nil {
		if s.GetCpu() != nil {
			out.CPU = cpuStats(s.GetCpu(), "container/"+c.GetId(), rates)
		}
		if s.GetMemory() != nil {
			out.Memory = memoryStats(s.GetMemory())
		}
		if wl := s.GetWritableLayer(); wl != nil {
			out.Rootfs = &statsapi.FsStats{Time: metav1.NewTime(time.Unix(0, wl.GetTimestamp()))}
			if wl.GetUsedBytes() != nil {
				v := wl.GetUsedBytes().GetValue()
				out.Rootfs.UsedBytes = &v
			}
			if wl.GetInodesUsed() != nil {
				v := wl.GetInodesUsed().GetValue()
				out.Rootfs.InodesUsed = &v
			}
			if fsc.imageFs != nil {
				out.Rootfs.AvailableBytes, out.Rootfs.CapacityBytes = fsc.imageFs.AvailableBytes, fsc.imageFs.CapacityBytes
				out.Rootfs.InodesFree, out.Rootfs.Inodes = fsc.imageFs.InodesFree, fsc.imageFs.Inodes
			}
		}
	}
	if podLogDir != "" {
		out.Logs = dirUsage(filepath.Join(podLogDir, name), fsc.nodeFs, fsc.now)
	}
	return out
}

// cpuStats converts a CRI CPU reading, computing usageNanoCores from our
// own previous sample; until there is one, the runtime's own rate (which
// containerd computes the same way) stands in.
func cpuStats(u *runtimeapi.CpuUsage, key string, rates *rateTracker) *statsapi.CPUStats {
	out := &statsapi.CPUStats{Time: metav1.NewTime(time.Unix(0, u.GetTimestamp()))}
	if u.GetUsageCoreNanoSeconds() == nil {
		return out
	}
	total := u.GetUsageCoreNanoSeconds().GetValue()
	out.UsageCoreNanoSeconds = &total
	if r, ok := rates.observe(key, cpuSample{at: u.GetTimestamp(), usage: total}); ok {
		out.UsageNanoCores = &r
	} else if u.GetUsageNanoCores() != nil {
		r := u.GetUsageNanoCores().GetValue()
		out.UsageNanoCores = &r
	}
	return out
}

func memoryStats(m *runtimeapi.MemoryUsage) *statsapi.MemoryStats {
	out := &statsapi.MemoryStats{Time: metav1.NewTime(time.Unix(0, m.GetTimestamp()))}
	opt := func(v *runtimeapi.UInt64Value) *uint64 {
		if v == nil {
			return nil
		}
		x := v.GetValue()
		return &x
	}
	out.WorkingSetBytes = opt(m.GetWorkingSetBytes())
	out.AvailableBytes = opt(m.GetAvailableBytes())
	out.UsageBytes = opt(m.GetUsageBytes())
	out.RSSBytes = opt(m.GetRssBytes())
	out.PageFaults = opt(m.GetPageFaults())
	out.MajorPageFaults = opt(m.GetMajorPageFaults())
	return out
}

func networkStats(n *runtimeapi.NetworkUsage) *statsapi.NetworkStats {
	conv := func(i *runtimeapi.NetworkInterfaceUsage) statsapi.InterfaceStats {
		opt := func(v *runtimeapi.UInt64Value) *uint64 {
			if v == nil {
				return nil
			}
			x := v.GetValue()
			return &x
		}
		return statsapi.InterfaceStats{Name: i.GetName(), RxBytes: opt(i.GetRxBytes()), RxErrors: opt(i.GetRxErrors()),
			TxBytes: opt(i.GetTxBytes()), TxErrors: opt(i.GetTxErrors())}
	}
	out := &statsapi.NetworkStats{Time: metav1.NewTime(time.Unix(0, n.GetTimestamp()))}
	if n.GetDefaultInterface() != nil {
		out.InterfaceStats = conv(n.GetDefaultInterface())
	}
	for _, i := range n.GetInterfaces() {
		out.Interfaces = append(out.Interfaces, conv(i))
	}
	return out
}

// sumCPU adds the containers' CPU for a pod whose sandbox has no stats.
func sumCPU(cs []statsapi.ContainerStats) *statsapi.CPUStats {
	var out *statsapi.CPUStats
	for _, c := range cs {
		if c.CPU == nil {
			continue
		}
		if out == nil {
			out = &statsapi.CPUStats{Time: c.CPU.Time}
		}
		out.UsageCoreNanoSeconds = addOpt(out.UsageCoreNanoSeconds, c.CPU.UsageCoreNanoSeconds)
		out.UsageNanoCores = addOpt(out.UsageNanoCores, c.CPU.UsageNanoCores)
		if c.CPU.Time.After(out.Time.Time) {
			out.Time = c.CPU.Time
		}
	}
	return out
}

func sumMemory(cs []statsapi.ContainerStats) *statsapi.MemoryStats {
	var out *statsapi.MemoryStats
	for _, c := range cs {
		if c.Memory == nil {
			continue
		}
		if out == nil {
			out = &statsapi.MemoryStats{Time: c.Memory.Time}
		}
		out.WorkingSetBytes = addOpt(out.WorkingSetBytes, c.Memory.WorkingSetBytes)
		out.UsageBytes = addOpt(out.UsageBytes, c.Memory.UsageBytes)
		out.RSSBytes = addOpt(out.RSSBytes, c.Memory.RSSBytes)
		out.PageFaults = addOpt(out.PageFaults, c.Memory.PageFaults)
		out.MajorPageFaults = addOpt(out.MajorPageFaults, c.Memory.MajorPageFaults)
		if c.Memory.Time.After(out.Time.Time) {
			out.Time = c.Memory.Time
		}
	}
	return out
}

// ephemeralStorage is the pod's local disk use: its containers' writable
// layers and logs (volumes are not measured).
func ephemeralStorage(cs []statsapi.ContainerStats, fsc fsContext) *statsapi.FsStats {
	var used, inodes *uint64
	for _, c := range cs {
		if c.Rootfs != nil {
			used, inodes = addOpt(used, c.Rootfs.UsedBytes), addOpt(inodes, c.Rootfs.InodesUsed)
		}
		if c.Logs != nil {
			used, inodes = addOpt(used, c.Logs.UsedBytes), addOpt(inodes, c.Logs.InodesUsed)
		}
	}
	if used == nil {
		return nil
	}
	out := &statsapi.FsStats{Time: metav1.NewTime(fsc.now), UsedBytes: used, InodesUsed: inodes}
	if fsc.nodeFs != nil {
		out.AvailableBytes, out.CapacityBytes, out.InodesFree, out.Inodes = fsc.nodeFs.AvailableBytes, fsc.nodeFs.CapacityBytes, fsc.nodeFs.InodesFree, fsc.nodeFs.Inodes
	}
	return out
}

// addOpt adds optional counters: nil + nil is nil, nil counts as zero
// otherwise.
func addOpt(a, b *uint64) *uint64 {
	if a == nil && b == nil {
		return nil
	}
	var s uint64
	if a != nil {
		s += *a
	}
	if b != nil {
		s += *b
	}
	return &s
}
