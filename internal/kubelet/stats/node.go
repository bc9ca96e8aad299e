package stats

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// host reads the node's own numbers. The roots are fields so tests can
// point them at fixtures.
type host struct {
	procDir   string // /proc
	cgroupDir string // /sys/fs/cgroup
}

func (h host) read(rel ...string) ([]byte, error) {
	return os.ReadFile(filepath.Join(rel...))
}

// cgroupV2 reports whether cgroupDir is a unified (v2-only) hierarchy.
func (h host) cgroupV2() bool {
	_, err := os.Stat(filepath.Join(h.cgroupDir, "cgroup.controllers"))
	return err == nil
}

// cpu returns the node's cumulative busy CPU time and boot time. It reads
// the root cgroup's counter (cpuacct.usage on v1, cpu.stat usage_usec on
// v2) as upstream's cAdvisor does, falling back to /proc/stat where the
// cgroup tree is not visible (a daemon started by `ip netns exec`).
func (h host) cpu(now time.Time) (cpuSample, time.Time, error) {
	data, err := h.read(h.procDir, "stat")
	if err != nil {
		return cpuSample{}, time.Time{}, err
	}
	ps, err := parseProcStat(data)
	if err != nil {
		return cpuSample{}, time.Time{}, err
	}
	boot := time.Unix(ps.bootTime, 0)
	usage := ps.cpuNanos
	if h.cgroupV2() {
		if data, err := h.read(h.cgroupDir, "cpu.stat"); err == nil {
			if v, ok := parseKeyValues(data)["usage_usec"]; ok {
				usage = v * 1000
			}
		}
	} else if data, err := h.read(h.cgroupDir, "cpuacct", "cpuacct.usage"); err == nil {
		if v, err := parseUint(data); err == nil {
			usage = v
		}
	}
	return cpuSample{at: now.UnixNano(), usage: usage}, boot, nil
}

// memory returns the node's memory: from the root memory cgroup on v1,
// from /proc/meminfo otherwise.
func (h host) memory() (nodeMemory, error) {
	mi, err := h.read(h.procDir, "meminfo")
	if err != nil {
		return nodeMemory{}, err
	}
	meminfo := parseKeyValues(mi)
	if !h.cgroupV2() {
		usageData, err1 := h.read(h.cgroupDir, "memory", "memory.usage_in_bytes")
		statData, err2 := h.read(h.cgroupDir, "memory", "memory.stat")
		if err1 == nil && err2 == nil {
			if usage, err := parseUint(usageData); err == nil {
				return memoryFromCgroupV1(usage, parseKeyValues(statData), meminfo["MemTotal"]), nil
			}
		}
	}
	vm, _ := h.read(h.procDir, "vmstat")
	return memoryFromMeminfo(meminfo, parseKeyValues(vm)), nil
}

// rlimit returns the PID limit and the number of processes, as upstream
// (pid_max and sysinfo's process count).
func (h host) rlimit() (maxPID int64, procs int64, ok bool) {
	data, err := h.read(h.procDir, "sys", "kernel", "pid_max")
	if err != nil {
		return 0, 0, false
	}
	v, err := parseUint(data)
	if err != nil {
		return 0, 0, false
	}
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err != nil {
		return 0, 0, false
	}
	return int64(v), int64(si.Procs), true
}

// netInterface is one interface's counters from /proc/net/dev.
type netInterface struct {
	name                               string
	rxBytes, rxErrors, txBytes, txErrs uint64
}

// parseNetDev reads /proc/net/dev, leaving out loopback.
func parseNetDev(data []byte) []netInterface {
	var out []netInterface
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		name = strings.TrimSpace(name)
		f := strings.Fields(rest)
		if name == "lo" || len(f) < 16 {
			continue
		}
		n := func(i int) uint64 { v, _ := strconv.ParseUint(f[i], 10, 64); return v }
		out = append(out, netInterface{name: name, rxBytes: n(0), rxErrors: n(2), txBytes: n(8), txErrs: n(10)})
	}
	return out
}

// defaultRouteInterface names the interface of the IPv4 default route in
// /proc/net/route, or "" when there is none.
func defaultRouteInterface(data []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 2 && f[1] == "00000000" && f[0] != "Iface" {
			return f[0]
		}
	}
	return ""
}

// network returns the node's interfaces and the default one's name.
func (h host) network() ([]netInterface, string) {
	dev, err := h.read(h.procDir, "net", "dev")
	if err != nil {
		return nil, ""
	}
	route, _ := h.read(h.procDir, "net", "route")
	return parseNetDev(dev), defaultRouteInterface(route)
}
