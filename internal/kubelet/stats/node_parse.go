package stats

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// userHZ is the unit of /proc/stat's CPU times; fixed at 100 by the kernel
// ABI whatever CONFIG_HZ is.
const userHZ = 100

// procStat is what the node summary needs from /proc/stat.
type procStat struct {
	cpuNanos uint64 // busy CPU time of all CPUs: everything but idle and iowait
	bootTime int64  // unix seconds
}

func parseProcStat(data []byte) (procStat, error) {
	var ps procStat
	found := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "cpu":
			// user nice system idle iowait irq softirq steal guest guest_nice;
			// guest time is already inside user and nice.
			var busy uint64
			for i, v := range f[1:] {
				if i == 3 || i == 4 || i >= 8 {
					continue
				}
				n, err := strconv.ParseUint(v, 10, 64)
				if err != nil {
					return ps, fmt.Errorf("/proc/stat cpu: %w", err)
				}
				busy += n
			}
			ps.cpuNanos = busy * (1e9 / userHZ)
			found = true
		case "btime":
			if len(f) > 1 {
				ps.bootTime, _ = strconv.ParseInt(f[1], 10, 64)
			}
		}
	}
	if !found {
		return ps, fmt.Errorf("/proc/stat: no cpu line")
	}
	return ps, nil
}

// parseKeyValues reads "key value [unit]" lines (memory.stat, cpu.stat,
// /proc/vmstat, /proc/meminfo with its "key:" form) into a map. Values in
// kB (meminfo) are turned into bytes.
func parseKeyValues(data []byte) map[string]uint64 {
	m := map[string]uint64{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		v, err := strconv.ParseUint(f[1], 10, 64)
		if err != nil {
			continue
		}
		if len(f) > 2 && f[2] == "kB" {
			v *= 1024
		}
		m[strings.TrimSuffix(f[0], ":")] = v
	}
	return m
}

// parseUint reads a file holding one number (cpuacct.usage,
// memory.usage_in_bytes, pid_max).
func parseUint(data []byte) (uint64, error) {
	return strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
}

// nodeMemory is the node's memory in the summary's terms.
type nodeMemory struct {
	usage, workingSet, available, rss, pageFaults, majorPageFaults uint64
	hasRSS, hasFaults                                              bool
}

// memoryFromCgroupV1 computes node memory from the root memory cgroup
// (usage_in_bytes and memory.stat's total_* hierarchy counters) and the
// machine's total memory, as upstream's cAdvisor does:
// working set = usage - inactive file cache; available = total - working set.
func memoryFromCgroupV1(usage uint64, stat map[string]uint64, total uint64) nodeMemory {
	ws := sub(usage, stat["total_inactive_file"])
	return nodeMemory{
		usage: usage, workingSet: ws, available: sub(total, ws),
		rss: stat["total_rss"], hasRSS: true,
		pageFaults: stat["total_pgfault"], majorPageFaults: stat["total_pgmajfault"], hasFaults: true,
	}
}

// memoryFromMeminfo computes node memory from /proc/meminfo and
// /proc/vmstat, used with cgroup v2 (whose root has no memory.current) or
// when cgroups are not visible.
func memoryFromMeminfo(meminfo, vmstat map[string]uint64) nodeMemory {
	total := meminfo["MemTotal"]
	usage := sub(total, meminfo["MemFree"])
	ws := sub(usage, meminfo["Inactive(file)"])
	m := nodeMemory{usage: usage, workingSet: ws, available: sub(total, ws)}
	if v, ok := meminfo["AnonPages"]; ok {
		m.rss, m.hasRSS = v, true
	}
	if v, ok := vmstat["pgfault"]; ok {
		m.pageFaults, m.majorPageFaults, m.hasFaults = v, vmstat["pgmajfault"], true
	}
	return m
}

func sub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}
