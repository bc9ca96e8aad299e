package volume

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func TestEmptyDir(t *testing.T) {
	root := t.TempDir()
	m := NewManager(Options{RootDir: root})
	fsGroup := int64(3456)
	size := resource.MustParse("1Mi")
	pod := &v1.Pod{}
	pod.UID = "uid-empty"
	pod.Spec.SecurityContext = &v1.PodSecurityContext{FSGroup: &fsGroup}
	pod.Spec.Volumes = []v1.Volume{
		{Name: "disk", VolumeSource: v1.VolumeSource{EmptyDir: &v1.EmptyDirVolumeSource{}}},
	}
	root0 := os.Geteuid() == 0
	if root0 {
		pod.Spec.Volumes = append(pod.Spec.Volumes, v1.Volume{Name: "mem", VolumeSource: v1.VolumeSource{
			EmptyDir: &v1.EmptyDirVolumeSource{Medium: v1.StorageMediumMemory, SizeLimit: &size}}})
	}
	t.Cleanup(func() { _ = m.Unmount(t.Context(), pod.UID) })

	vols, err := m.Mount(t.Context(), pod)
	if err != nil {
		t.Fatal(err)
	}
	disk := vols["disk"].HostPath
	if want := filepath.Join(root, "pods/uid-empty/volumes/kubernetes.io~empty-dir/disk"); disk != want {
		t.Errorf("disk at %s, want %s", disk, want)
	}
	st, err := os.Stat(disk)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o777 || st.Mode()&os.ModeSetgid == 0 {
		t.Errorf("disk mode %v, want drwxrwxrwx with setgid", st.Mode())
	}
	if root0 && st.Sys().(*syscall.Stat_t).Gid != uint32(fsGroup) {
		t.Errorf("disk gid %d, want %d", st.Sys().(*syscall.Stat_t).Gid, fsGroup)
	}

	if root0 {
		mem := vols["mem"].HostPath
		if mp, err := isMountPoint(mem); err != nil || !mp {
			t.Fatalf("memory emptyDir not mounted: %v", err)
		}
		var fs syscall.Statfs_t
		must(t, syscall.Statfs(mem, &fs))
		if got := int64(fs.Blocks) * fs.Bsize; got != size.Value() {
			t.Errorf("tmpfs size %d, want %d", got, size.Value())
		}
		// Mount again: idempotent, no second tmpfs on top.
		if _, err := m.Mount(t.Context(), pod); err != nil {
			t.Fatal(err)
		}
		if mps, _ := mountPointsUnder(mem); len(mps) != 1 {
			t.Errorf("mounts at %s after re-Mount: %v", mem, mps)
		}
	} else {
		t.Log("not root: memory emptyDir not tested")
	}

	must(t, m.Unmount(t.Context(), pod.UID))
	if _, err := os.Stat(m.PodDir(pod.UID)); !os.IsNotExist(err) {
		t.Errorf("pod folder still there: %v", err)
	}
	if mps, _ := mountPointsUnder(root); len(mps) != 0 {
		t.Errorf("mounts left: %v", mps)
	}
	// Unmount of an unknown pod is fine.
	must(t, m.Unmount(t.Context(), "never-mounted"))
}

func TestMemoryVolumeSize(t *testing.T) {
	limit := func(q string) v1.Container {
		return v1.Container{Resources: v1.ResourceRequirements{Limits: v1.ResourceList{v1.ResourceMemory: resource.MustParse(q)}}}
	}
	size := resource.MustParse("5Mi")
	tests := []struct {
		name       string
		containers []v1.Container
		sizeLimit  *resource.Quantity
		want       int64
	}{
		{"sizeLimit wins", []v1.Container{limit("1Gi")}, &size, 5 << 20},
		{"sum of limits", []v1.Container{limit("1Mi"), limit("2Mi")}, nil, 3 << 20},
		{"a container without limit", []v1.Container{limit("1Mi"), {}}, nil, 0},
	}
	for _, tt := range tests {
		pod := &v1.Pod{Spec: v1.PodSpec{Containers: tt.containers}}
		if got := memoryVolumeSize(pod, &v1.EmptyDirVolumeSource{SizeLimit: tt.sizeLimit}); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestUnescapeMountPath(t *testing.T) {
	if got := unescapeMountPath(`/a\040b\\c`); got != `/a b\\c` {
		t.Errorf("got %q", got)
	}
}
