package stats

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestParseProcStat(t *testing.T) {
	data := []byte(`cpu  100 20 30 4000 50 6 7 8 9 10
cpu0 50 10 15 2000 25 3 3 4 0 0
intr 12345
btime 1700000000
processes 42
`)
	ps, err := parseProcStat(data)
	if err != nil {
		t.Fatal(err)
	}
	// user+nice+system+irq+softirq+steal = 100+20+30+6+7+8 = 171 ticks.
	if want := uint64(171 * 1e7); ps.cpuNanos != want {
		t.Errorf("cpuNanos = %d, want %d", ps.cpuNanos, want)
	}
	if ps.bootTime != 1700000000 {
		t.Errorf("bootTime = %d", ps.bootTime)
	}
	if _, err := parseProcStat([]byte("intr 1\n")); err == nil {
		t.Error("no cpu line: want an error")
	}
}

func TestMemory(t *testing.T) {
	meminfo := parseKeyValues([]byte("MemTotal:       1000 kB\nMemFree:         200 kB\nInactive(file):  100 kB\nAnonPages:       300 kB\n"))
	if meminfo["MemTotal"] != 1000*1024 {
		t.Fatalf("MemTotal = %d", meminfo["MemTotal"])
	}
	vmstat := parseKeyValues([]byte("pgfault 77\npgmajfault 3\n"))
	m := memoryFromMeminfo(meminfo, vmstat)
	// usage = total-free = 800k; working set = usage - inactive file = 700k.
	if m.usage != 800*1024 || m.workingSet != 700*1024 || m.available != 300*1024 || m.rss != 300*1024 || m.pageFaults != 77 || m.majorPageFaults != 3 {
		t.Errorf("meminfo memory = %+v", m)
	}

	stat := parseKeyValues([]byte("cache 1\ntotal_inactive_file 400\ntotal_rss 900\ntotal_pgfault 5\ntotal_pgmajfault 1\n"))
	m = memoryFromCgroupV1(1500, stat, 4000)
	if m.usage != 1500 || m.workingSet != 1100 || m.available != 2900 || m.rss != 900 || m.pageFaults != 5 || m.majorPageFaults != 1 {
		t.Errorf("cgroup v1 memory = %+v", m)
	}
	// Inactive file larger than usage (racy reads) must not wrap around.
	if m := memoryFromCgroupV1(10, parseKeyValues([]byte("total_inactive_file 20\n")), 100); m.workingSet != 0 {
		t.Errorf("working set wrapped: %d", m.workingSet)
	}
}

func TestNetDevAndRoute(t *testing.T) {
	dev := []byte(`Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0
  eth0: 5000      50    2    0    0     0          0         0     7000      70    3    0    0     0       0          0
`)
	ifs := parseNetDev(dev)
	if len(ifs) != 1 || ifs[0].name != "eth0" || ifs[0].rxBytes != 5000 || ifs[0].rxErrors != 2 || ifs[0].txBytes != 7000 || ifs[0].txErrs != 3 {
		t.Errorf("parseNetDev = %+v", ifs)
	}
	route := []byte("Iface\tDestination\tGateway\tFlags\nveth1\t0000A8C0\t00000000\t0001\neth0\t00000000\t0100A8C0\t0003\n")
	if got := defaultRouteInterface(route); got != "eth0" {
		t.Errorf("defaultRouteInterface = %q", got)
	}
}

// writeFiles lays out a fake /proc and cgroup tree.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestHostCgroupVersions(t *testing.T) {
	proc := map[string]string{
		"proc/stat":    "cpu  100 0 0 100 0 0 0 0 0 0\nbtime 1700000000\n",
		"proc/meminfo": "MemTotal: 1000 kB\nMemFree: 400 kB\nInactive(file): 100 kB\n",
		"proc/vmstat":  "pgfault 1\npgmajfault 0\n",
	}
	tests := []struct {
		name      string
		cgroup    map[string]string
		wantCPU   uint64
		wantUsage uint64
	}{
		{"no cgroups visible: /proc", nil, 100 * 1e7, 600 * 1024},
		{"cgroup v1 root", map[string]string{
			"cg/cpuacct/cpuacct.usage":        "123456789\n",
			"cg/memory/memory.usage_in_bytes": "700000\n",
			"cg/memory/memory.stat":           "total_inactive_file 100000\ntotal_rss 50000\n",
		}, 123456789, 700000},
		{"cgroup v2 root", map[string]string{
			"cg/cgroup.controllers": "cpu memory\n",
			"cg/cpu.stat":           "usage_usec 5000\nuser_usec 4000\n",
		}, 5000 * 1000, 600 * 1024},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, proc)
			writeFiles(t, root, tt.cgroup)
			h := host{procDir: filepath.Join(root, "proc"), cgroupDir: filepath.Join(root, "cg")}
			s, boot, err := h.cpu(time.Unix(10, 0))
			if err != nil {
				t.Fatal(err)
			}
			if s.usage != tt.wantCPU || s.at != 10e9 || boot.Unix() != 1700000000 {
				t.Errorf("cpu = %+v, boot %v; want usage %d", s, boot, tt.wantCPU)
			}
			m, err := h.memory()
			if err != nil {
				t.Fatal(err)
			}
			if m.usage != tt.wantUsage {
				t.Errorf("memory usage = %d, want %d", m.usage, tt.wantUsage)
			}
		})
	}
}
