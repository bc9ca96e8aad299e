package eviction

import (
	"os"
	"path/filepath"
	"testing"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func writeTree(t *testing.T, files map[string]string) string {
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
	return root
}

func TestMeasureMemory(t *testing.T) {
	const meminfo = "MemTotal:       4194304 kB\nMemAvailable:   1048576 kB\n" // 4Gi, 1Gi
	for _, tc := range []struct {
		name                string
		files               map[string]string
		available, capacity int64
	}{
		{
			name:      "no cgroups: MemAvailable",
			files:     map[string]string{"/proc/meminfo": meminfo},
			available: gi, capacity: 4 * gi,
		},
		{
			name: "v1 root working set: usage minus inactive file",
			files: map[string]string{
				"/proc/meminfo": meminfo,
				"/sys/fs/cgroup/memory/memory.usage_in_bytes": "3221225472", // 3Gi
				"/sys/fs/cgroup/memory/memory.stat":           "cache 1\ntotal_inactive_file 1073741824\n",
			},
			available: 2 * gi, capacity: 4 * gi,
		},
		{
			name: "v1 node cgroup limit binds",
			files: map[string]string{
				"/proc/meminfo": meminfo,
				"/sys/fs/cgroup/memory/memory.usage_in_bytes":          "1073741824",
				"/sys/fs/cgroup/memory/memory.stat":                    "total_inactive_file 0\n",
				"/sys/fs/cgroup/memory/hanok/n1/memory.limit_in_bytes": "1073741824",
				"/sys/fs/cgroup/memory/hanok/n1/memory.usage_in_bytes": "943718400", // 900Mi
				"/sys/fs/cgroup/memory/hanok/n1/memory.stat":           "total_inactive_file 0\n",
				"/sys/fs/cgroup/memory/hanok/memory.limit_in_bytes":    "9223372036854771712",
			},
			available: 124 * mi, capacity: gi,
		},
		{
			name: "v2: MemAvailable at the root, limit on the node",
			files: map[string]string{
				"/proc/meminfo":                          meminfo,
				"/sys/fs/cgroup/cgroup.controllers":      "memory pids",
				"/sys/fs/cgroup/hanok/n1/memory.max":     "2147483648",
				"/sys/fs/cgroup/hanok/n1/memory.current": "2097152000",                        // 2000Mi
				"/sys/fs/cgroup/hanok/n1/memory.stat":    "anon 1\ninactive_file 104857600\n", // 100Mi
			},
			available: 148 * mi, capacity: 2 * gi, // min(MemAvailable 1Gi, 2Gi - (2000Mi - 100Mi))
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := node{root: writeTree(t, tc.files), cgroupRoot: "/hanok/n1"}
			avail, capacity := n.memory()
			if avail != tc.available || capacity != tc.capacity {
				t.Errorf("memory() = %d, %d; want %d, %d", avail, capacity, tc.available, tc.capacity)
			}
		})
	}
}

func TestMeasurePIDsAndFilesystems(t *testing.T) {
	n := node{root: writeTree(t, map[string]string{
		"/proc/sys/kernel/pid_max":     "32768",
		"/proc/sys/kernel/threads-max": "10000",
		"/proc/running":                "400",
	}), nodeFsDir: t.TempDir(), imageFsDir: "/"}
	r, err := n.measure()
	if err != nil {
		t.Fatal(err)
	}
	if r.PIDMax != 10000 || r.PIDsAvailable != 9600 {
		t.Errorf("pids = %d of %d, want 9600 of 10000", r.PIDsAvailable, r.PIDMax)
	}
	if r.NodeFsCapacity <= 0 || r.NodeFsAvailable <= 0 || r.NodeFsAvailable > r.NodeFsCapacity || r.NodeFsInodes <= 0 {
		t.Errorf("nodefs = %+v", r)
	}
	if r.ImageFsCapacity <= 0 {
		t.Errorf("imagefs = %d", r.ImageFsCapacity)
	}
}

func TestPodUsageFromCgroups(t *testing.T) {
	uid := "1234-abcd"
	root := writeTree(t, map[string]string{
		"/sys/fs/cgroup/memory/hanok/n1/burstable/pod" + uid + "/memory.usage_in_bytes":      "314572800", // 300Mi
		"/sys/fs/cgroup/memory/hanok/n1/burstable/pod" + uid + "/memory.stat":                "total_inactive_file 104857600\n",
		"/sys/fs/cgroup/memory/hanok/n1/burstable/pod" + uid + "/cid1/memory.usage_in_bytes": "209715200",
		"/sys/fs/cgroup/memory/hanok/n1/burstable/pod" + uid + "/cid1/memory.stat":           "total_inactive_file 0\n",
		"/sys/fs/cgroup/pids/hanok/n1/burstable/pod" + uid + "/pids.current":                 "7",
		"/sys/fs/cgroup/memory/hanok/n1/burstable/podother/memory.usage_in_bytes":            "1",
	})
	kubeletRoot := t.TempDir()
	vol := filepath.Join(kubeletRoot, "pods", uid, "volumes", "kubernetes.io~empty-dir", "data")
	if err := os.MkdirAll(vol, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(vol, "f"), make([]byte, 4096), 0o644); err != nil {
		t.Fatal(err)
	}
	n := node{root: root, cgroupRoot: "/hanok/n1"}
	pod := &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{UID: "1234-abcd"},
		Status: v1.PodStatus{ContainerStatuses: []v1.ContainerStatus{
			{Name: "app", ContainerID: "containerd://cid1"},
			{Name: "gone", ContainerID: "containerd://cid2"},
		}},
	}
	u, ok := n.podUsage(kubeletRoot)(pod)
	if !ok {
		t.Fatal("pod cgroup not found")
	}
	if u.Memory != 200*mi || u.Processes != 7 || u.Storage != 4096 {
		t.Errorf("pod usage = %+v, want 200Mi, 7 processes, 4096 bytes", u.Usage)
	}
	if c := u.Containers["app"]; c.Memory != 200*mi {
		t.Errorf("container app = %+v", c)
	}
	if _, ok := u.Containers["gone"]; ok {
		t.Error("usage for a container without a cgroup")
	}
	if _, ok := n.podUsage(kubeletRoot)(&v1.Pod{ObjectMeta: metav1.ObjectMeta{UID: "nope"}}); ok {
		t.Error("usage for a pod without a cgroup")
	}
}
