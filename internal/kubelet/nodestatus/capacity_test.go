package nodestatus

import (
	"os"
	"path/filepath"
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// fakeHost writes files into a temporary root.
func fakeHost(t *testing.T, files map[string]string) host {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return host{root}
}

func TestCountCPUList(t *testing.T) {
	for list, want := range map[string]int{
		"0": 1, "0-1": 2, "0-3,6": 5, "0-1,4-5\n": 4, "": 0, "x": 0, "3-1": 0,
	} {
		if got := countCPUList(list); got != want {
			t.Errorf("countCPUList(%q) = %d, want %d", list, got, want)
		}
	}
}

func TestCapacity(t *testing.T) {
	const meminfo = "MemTotal:       2048000 kB\nMemFree:        1000 kB\n"
	gi := int64(1 << 30)
	for _, tc := range []struct {
		name    string
		files   map[string]string
		cpu     string
		memory  int64
		maxPods int
	}{
		{
			name:   "no cgroup limits",
			files:  map[string]string{"/sys/devices/system/cpu/online": "0-3", "/proc/meminfo": meminfo},
			cpu:    "4",
			memory: 2048000 * 1024,
		},
		{
			name: "cgroup v1 limits on a parent are lower",
			files: map[string]string{
				"/sys/devices/system/cpu/online":                       "0-3",
				"/proc/meminfo":                                        meminfo,
				"/sys/fs/cgroup/cpu/hanok/cpu.cfs_quota_us":            "150000",
				"/sys/fs/cgroup/cpu/hanok/cpu.cfs_period_us":           "100000",
				"/sys/fs/cgroup/cpu/hanok/n1/cpu.cfs_quota_us":         "-1",
				"/sys/fs/cgroup/cpu/hanok/n1/cpu.cfs_period_us":        "100000",
				"/sys/fs/cgroup/memory/hanok/memory.limit_in_bytes":    "9223372036854771712",
				"/sys/fs/cgroup/memory/hanok/n1/memory.limit_in_bytes": "1073741824",
			},
			cpu:    "1500m",
			memory: gi,
		},
		{
			name: "cgroup v1 limits higher than the machine are ignored",
			files: map[string]string{
				"/sys/devices/system/cpu/online":                       "0-1",
				"/proc/meminfo":                                        meminfo,
				"/sys/fs/cgroup/cpu/hanok/n1/cpu.cfs_quota_us":         "800000",
				"/sys/fs/cgroup/cpu/hanok/n1/cpu.cfs_period_us":        "100000",
				"/sys/fs/cgroup/memory/hanok/n1/memory.limit_in_bytes": "99999999999999",
			},
			cpu:    "2",
			memory: 2048000 * 1024,
		},
		{
			name: "cgroup v2",
			files: map[string]string{
				"/sys/devices/system/cpu/online":     "0-7",
				"/proc/meminfo":                      meminfo,
				"/sys/fs/cgroup/cgroup.controllers":  "cpu memory pids",
				"/sys/fs/cgroup/hanok/n1/cpu.max":    "250000 100000",
				"/sys/fs/cgroup/hanok/n1/memory.max": "max",
				"/sys/fs/cgroup/hanok/memory.max":    "536870912",
			},
			cpu:     "2500m",
			memory:  gi / 2,
			maxPods: 30,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := fakeHost(t, tc.files)
			maxPods := tc.maxPods
			if maxPods == 0 {
				maxPods = 110
			}
			c := capacity(h, "/hanok/n1", t.TempDir(), maxPods)
			if cpu := c[v1.ResourceCPU]; cpu.Cmp(resource.MustParse(tc.cpu)) != 0 {
				t.Errorf("cpu = %s, want %s", cpu.String(), tc.cpu)
			}
			if mem := c[v1.ResourceMemory]; mem.Value() != tc.memory {
				t.Errorf("memory = %d, want %d", mem.Value(), tc.memory)
			}
			if pods := c[v1.ResourcePods]; pods.Value() != int64(maxPods) {
				t.Errorf("pods = %s, want %d", pods.String(), maxPods)
			}
			if s := c[v1.ResourceEphemeralStorage]; s.Value() <= 0 {
				t.Errorf("ephemeral-storage = %s, want the temp dir's filesystem size", s.String())
			}
			if hp, ok := c["hugepages-2Mi"]; !ok || !hp.IsZero() {
				t.Errorf("hugepages-2Mi = %v (present %v), want 0", hp.String(), ok)
			}
		})
	}
}

func TestAllocatable(t *testing.T) {
	capacity := v1.ResourceList{
		v1.ResourceCPU:              resource.MustParse("2"),
		v1.ResourceMemory:           resource.MustParse("1Gi"),
		v1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
		v1.ResourcePods:             resource.MustParse("110"),
	}
	got := allocatable(capacity)
	for res, want := range map[v1.ResourceName]string{
		v1.ResourceCPU:              "2",
		v1.ResourceMemory:           "924Mi",
		v1.ResourceEphemeralStorage: "90Gi",
		v1.ResourcePods:             "110",
	} {
		q := got[res]
		if q.Cmp(resource.MustParse(want)) != 0 {
			t.Errorf("allocatable %s = %s, want %s", res, q.String(), want)
		}
	}
	if q := capacity[v1.ResourceMemory]; q.String() != "1Gi" {
		t.Errorf("capacity was modified: memory %s", q.String())
	}
	tiny := allocatable(v1.ResourceList{v1.ResourceMemory: resource.MustParse("50Mi")})
	if q := tiny[v1.ResourceMemory]; q.Sign() != 0 {
		t.Errorf("allocatable memory of 50Mi = %s, want 0", q.String())
	}
}

func TestNodeInfo(t *testing.T) {
	h := fakeHost(t, map[string]string{
		"/etc/machine-id":                 "abc123\n",
		"/sys/class/dmi/id/product_uuid":  "UUID-1",
		"/proc/sys/kernel/random/boot_id": "boot-1",
		"/proc/sys/kernel/osrelease":      "6.1.0-test",
		"/etc/os-release":                 "NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
	})
	info := nodeInfo(t.Context(), h, fakeRuntime{name: "containerd", version: "2.4.2"})
	want := map[string]string{
		"machineID": "abc123", "systemUUID": "UUID-1", "bootID": "boot-1", "kernel": "6.1.0-test",
		"osImage": "Debian GNU/Linux 12 (bookworm)", "runtime": "containerd://2.4.2",
	}
	got := map[string]string{
		"machineID": info.MachineID, "systemUUID": info.SystemUUID, "bootID": info.BootID, "kernel": info.KernelVersion,
		"osImage": info.OSImage, "runtime": info.ContainerRuntimeVersion,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	if info.KubeletVersion == "" || info.KubeProxyVersion != "" || info.OperatingSystem != "linux" || info.Architecture == "" {
		t.Errorf("versions/platform = %+v", info)
	}
	// Missing files: fallbacks, nothing invented.
	bare := nodeInfo(t.Context(), fakeHost(t, nil), nil)
	if bare.OSImage != "Linux" || bare.SystemUUID != "" || bare.ContainerRuntimeVersion != "" {
		t.Errorf("bare host info = %+v", bare)
	}
}

func TestOSPrettyName(t *testing.T) {
	for in, want := range map[string]string{
		`PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"`: "Debian GNU/Linux 12 (bookworm)",
		"ID=alpine\nPRETTY_NAME='Alpine Linux v3.20'":  "Alpine Linux v3.20",
		"PRETTY_NAME=Plain":                            "Plain",
		"NAME=x":                                       "",
	} {
		if got := osPrettyName(in); got != want {
			t.Errorf("osPrettyName(%q) = %q, want %q", in, got, want)
		}
	}
}
