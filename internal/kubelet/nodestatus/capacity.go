package nodestatus

import (
	"path"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/hanok-dev/hanok/internal/kubelet/meminfo"
)

// Hard eviction thresholds subtracted from capacity to get allocatable, as
// upstream does with its default --eviction-hard (no kube/system reserved).
var (
	evictionMemoryAvailable     = resource.MustParse("100Mi")
	evictionNodeFsAvailablePerc = int64(10)
)

// unlimited is what cgroup v1 reports for "no memory limit" (a page-aligned
// math.MaxInt64) and anything above it.
const unlimited = int64(1) << 62

// capacity measures the node: CPUs online (or the cgroup quota when lower),
// memory (MemTotal or the cgroup limit when lower), the size of the
// filesystem holding rootDir, the pod limit and (no) huge pages.
func capacity(h host, cgroupRoot, rootDir string, maxPods int) v1.ResourceList {
	milliCPU := int64(onlineCPUs(h)) * 1000
	if q, ok := cgroupCPULimit(h, cgroupRoot); ok && q < milliCPU {
		milliCPU = q
	}
	mem := memTotal(h)
	if l, ok := cgroupMemoryLimit(h, cgroupRoot); ok && (mem == 0 || l < mem) {
		mem = l
	}
	return v1.ResourceList{
		v1.ResourceCPU:                     *resource.NewMilliQuantity(milliCPU, resource.DecimalSI),
		v1.ResourceMemory:                  *resource.NewQuantity(mem, resource.BinarySI),
		v1.ResourceEphemeralStorage:        *resource.NewQuantity(fsSize(rootDir), resource.BinarySI),
		v1.ResourcePods:                    *resource.NewQuantity(int64(maxPods), resource.DecimalSI),
		v1.ResourceHugePagesPrefix + "2Mi": *resource.NewQuantity(0, resource.BinarySI),
	}
}

// allocatable is capacity minus the hard eviction thresholds: 100Mi of
// memory and 10% of ephemeral storage, never below zero.
func allocatable(capacity v1.ResourceList) v1.ResourceList {
	out := capacity.DeepCopy()
	if m, ok := out[v1.ResourceMemory]; ok {
		m.Sub(evictionMemoryAvailable)
		if m.Sign() < 0 {
			m = *resource.NewQuantity(0, resource.BinarySI)
		}
		out[v1.ResourceMemory] = m
	}
	if s, ok := out[v1.ResourceEphemeralStorage]; ok {
		v := s.Value()
		out[v1.ResourceEphemeralStorage] = *resource.NewQuantity(v-v*evictionNodeFsAvailablePerc/100, resource.BinarySI)
	}
	return out
}

// onlineCPUs counts /sys/devices/system/cpu/online ("0-3,6"), falling back
// to what the Go runtime sees.
func onlineCPUs(h host) int {
	if n := countCPUList(h.read("/sys/devices/system/cpu/online")); n > 0 {
		return n
	}
	return runtime.NumCPU()
}

// countCPUList counts the CPUs of a kernel cpu list such as "0-3,6".
func countCPUList(list string) int {
	n := 0
	for _, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return 0
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return 0
			}
		}
		n += b - a + 1
	}
	return n
}

// memTotal is MemTotal of /proc/meminfo in bytes.
func memTotal(h host) int64 {
	return meminfo.Field(h.read("/proc/meminfo"), "MemTotal")
}

// cgroupV2 reports a pure cgroup v2 host (the unified hierarchy mounted at
// /sys/fs/cgroup); hybrid hosts keep their controllers on v1.
func cgroupV2(h host) bool {
	return h.read("/sys/fs/cgroup/cgroup.controllers") != ""
}

// ancestors lists cgroup and its parents up to, not including, the root:
// a parent's limit binds its children too.
func ancestors(cgroup string) []string {
	var out []string
	for c := path.Clean("/" + cgroup); c != "/"; c = path.Dir(c) {
		out = append(out, c)
	}
	return out
}

// cgroupCPULimit is the lowest CPU quota, in millicores, on cgroup or its
// ancestors (cpu.cfs_quota_us/cpu.cfs_period_us on v1, cpu.max on v2).
func cgroupCPULimit(h host, cgroup string) (int64, bool) {
	best, found := int64(0), false
	for _, c := range ancestors(cgroup) {
		var quota, period int64
		if cgroupV2(h) {
			f := strings.Fields(h.read(path.Join("/sys/fs/cgroup", c, "cpu.max")))
			if len(f) != 2 || f[0] == "max" {
				continue
			}
			quota, _ = strconv.ParseInt(f[0], 10, 64)
			period, _ = strconv.ParseInt(f[1], 10, 64)
		} else {
			dir := path.Join("/sys/fs/cgroup/cpu", c)
			quota, _ = strconv.ParseInt(h.read(dir+"/cpu.cfs_quota_us"), 10, 64)
			period, _ = strconv.ParseInt(h.read(dir+"/cpu.cfs_period_us"), 10, 64)
		}
		if quota <= 0 || period <= 0 {
			continue
		}
		if m := quota * 1000 / period; !found || m < best {
			best, found = m, true
		}
	}
	return best, found
}

// cgroupMemoryLimit is the lowest memory limit on cgroup or its ancestors
// (memory.limit_in_bytes on v1, memory.max on v2).
func cgroupMemoryLimit(h host, cgroup string) (int64, bool) {
	best, found := int64(0), false
	for _, c := range ancestors(cgroup) {
		var s string
		if cgroupV2(h) {
			s = h.read(path.Join("/sys/fs/cgroup", c, "memory.max"))
		} else {
			s = h.read(path.Join("/sys/fs/cgroup/memory", c, "memory.limit_in_bytes"))
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v <= 0 || v >= unlimited {
			continue
		}
		if !found || v < best {
			best, found = v, true
		}
	}
	return best, found
}

// fsSize is the size in bytes of the filesystem holding dir (or its
// nearest existing parent: the kubelet root may not exist yet).
func fsSize(dir string) int64 {
	if dir == "" {
		dir = "/"
	}
	for d := path.Clean(dir); ; d = path.Dir(d) {
		var st syscall.Statfs_t
		if err := syscall.Statfs(d, &st); err == nil {
			return int64(st.Blocks) * int64(st.Bsize)
		}
		if d == "/" || d == "." {
			return 0
		}
	}
}
