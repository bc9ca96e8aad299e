package eviction

import (
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/hanok-dev/hanok/internal/kubelet/meminfo"
)

// unlimited is cgroup v1's "no limit" (a page-aligned math.MaxInt64) and
// anything above.
const unlimited = int64(1) << 62

// node measures the real machine; root is "/" except in tests.
type node struct {
	root       string
	cgroupRoot string
	nodeFsDir  string
	imageFsDir string
}

func (n node) read(p string) string {
	b, err := os.ReadFile(filepath.Join(n.root, p))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func (n node) readInt(p string) (int64, bool) {
	v, err := strconv.ParseInt(n.read(p), 10, 64)
	return v, err == nil
}

// measure reads memory, both filesystems and PIDs.
func (n node) measure() (Readings, error) {
	var r Readings
	r.MemoryAvailable, r.MemoryCapacity = n.memory()
	r.NodeFsAvailable, r.NodeFsCapacity, r.NodeFsInodesFree, r.NodeFsInodes = statfs(n.nodeFsDir)
	r.ImageFsAvailable, r.ImageFsCapacity, _, _ = statfs(n.imageFsDir)
	r.PIDsAvailable, r.PIDMax = n.pids()
	return r, nil
}

// memory returns available and capacity bytes, as upstream: capacity is
// MemTotal, available capacity minus the working set of the root cgroup
// (usage minus inactive file pages, which the kernel can drop), falling
// back to MemAvailable. A memory limit on the node's cgroup or its
// parents lowers both.
func (n node) memory() (available, capacity int64) {
	text := n.read(meminfo.Path)
	capacity = meminfo.Field(text, "MemTotal")
	if ws, ok := n.workingSet("/"); ok && capacity > 0 {
		available = capacity - ws
	} else {
		available = meminfo.Field(text, "MemAvailable")
	}
	for c := path.Clean("/" + n.cgroupRoot); c != "/"; c = path.Dir(c) {
		limit, ok := n.memoryLimit(c)
		if !ok {
			continue
		}
		ws, _ := n.workingSet(c)
		if limit < capacity || capacity == 0 {
			capacity = limit
		}
		if limit-ws < available {
			available = limit - ws
		}
	}
	return max(available, 0), capacity
}

// cgroupV2 reports a pure v2 host; hybrid hosts keep memory on v1.
func (n node) cgroupV2() bool {
	return n.read("/sys/fs/cgroup/cgroup.controllers") != ""
}

// memoryDir is where cgroup c's memory files are.
func (n node) memoryDir(c string) string {
	if n.cgroupV2() {
		return path.Join("/sys/fs/cgroup", c)
	}
	return path.Join("/sys/fs/cgroup/memory", c)
}

// workingSet is cgroup c's memory usage minus its inactive file pages
// (v1: memory.usage_in_bytes and total_inactive_file; v2: memory.current
// and inactive_file; the v2 root has no memory.current, so v2 "/" is
// measured from meminfo by the caller).
func (n node) workingSet(c string) (int64, bool) {
	dir := n.memoryDir(c)
	usageFile, inactiveKey := "memory.usage_in_bytes", "total_inactive_file"
	if n.cgroupV2() {
		usageFile, inactiveKey = "memory.current", "inactive_file"
	}
	usage, ok := n.readInt(path.Join(dir, usageFile))
	if !ok {
		return 0, false
	}
	inactive := statField(n.read(path.Join(dir, "memory.stat")), inactiveKey)
	return max(usage-inactive, 0), true
}

func (n node) memoryLimit(c string) (int64, bool) {
	file := "memory.limit_in_bytes"
	if n.cgroupV2() {
		file = "memory.max"
	}
	v, ok := n.readInt(path.Join(n.memoryDir(c), file))
	if !ok || v <= 0 || v >= unlimited {
		return 0, false
	}
	return v, true
}

// pids returns PIDs available and the PID limit (the lower of pid_max and
// threads-max, as upstream), counting running processes and threads.
func (n node) pids() (available, limit int64) {
	limit, _ = n.readInt("/proc/sys/kernel/pid_max")
	if t, ok := n.readInt("/proc/sys/kernel/threads-max"); ok && t > 0 && (limit == 0 || t < limit) {
		limit = t
	}
	if limit == 0 {
		return 0, 0
	}
	running := int64(0)
	if n.root == "/" {
		var si syscall.Sysinfo_t
		if syscall.Sysinfo(&si) == nil {
			running = int64(si.Procs)
		}
	} else if v, ok := n.readInt("/proc/running"); ok { // fake trees in tests
		running = v
	}
	return limit - running, limit
}

// statfs returns available and total bytes, free and total inodes of the
// filesystem holding dir (or its nearest existing parent); zeros if none.
func statfs(dir string) (avail, capacity, inodesFree, inodes int64) {
	if dir == "" {
		return 0, 0, 0, 0
	}
	for d := path.Clean(dir); ; d = path.Dir(d) {
		var st syscall.Statfs_t
		if err := syscall.Statfs(d, &st); err == nil {
			bs := int64(st.Bsize)
			return int64(st.Bavail) * bs, int64(st.Blocks) * bs, int64(st.Ffree), int64(st.Files)
		}
		if d == "/" || d == "." {
			return 0, 0, 0, 0
		}
	}
}

// statField returns a "key value" line of a cgroup memory.stat file.
func statField(stat, key string) int64 {
	for _, line := range strings.Split(stat, "\n") {
		k, v, ok := strings.Cut(line, " ")
		if ok && k == key {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}
