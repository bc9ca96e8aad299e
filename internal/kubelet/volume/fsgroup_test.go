package volume

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	v1 "k8s.io/api/core/v1"
)

func gidOf(t *testing.T, p string) uint32 {
	t.Helper()
	st, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Sys().(*syscall.Stat_t).Gid
}

func TestSetOwnership(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("changing group ownership needs root")
	}
	gid := int64(4321)
	tests := []struct {
		name     string
		readOnly bool
		wantFile os.FileMode
	}{
		{"read-only volume", true, 0o440},
		{"writable volume", false, 0o660},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			must(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o700))
			file := filepath.Join(dir, "sub", "f")
			must(t, os.WriteFile(file, nil, 0o400))
			must(t, os.Chmod(file, 0o400))
			must(t, setOwnership(dir, &gid, nil, tt.readOnly))
			for _, p := range []string{dir, filepath.Join(dir, "sub"), file} {
				if got := gidOf(t, p); got != uint32(gid) {
					t.Errorf("%s gid %d", p, got)
				}
			}
			st, _ := os.Stat(file)
			if st.Mode().Perm() != tt.wantFile|0o400 {
				t.Errorf("file mode %v, want %v", st.Mode().Perm(), tt.wantFile|0o400)
			}
			st, _ = os.Stat(filepath.Join(dir, "sub"))
			if st.Mode()&os.ModeSetgid == 0 || st.Mode().Perm()&0o050 != 0o050 {
				t.Errorf("folder mode %v, want setgid and group r-x", st.Mode())
			}
		})
	}

	t.Run("OnRootMismatch skips a matching root", func(t *testing.T) {
		dir := t.TempDir()
		file := filepath.Join(dir, "f")
		must(t, os.WriteFile(file, nil, 0o644))
		must(t, setOwnership(dir, &gid, nil, false))
		must(t, os.Chown(file, -1, 0))
		policy := v1.FSGroupChangeOnRootMismatch
		must(t, setOwnership(dir, &gid, &policy, false))
		if gidOf(t, file) != 0 {
			t.Error("OnRootMismatch walked a volume whose root matched")
		}
		always := v1.FSGroupChangeAlways
		must(t, setOwnership(dir, &gid, &always, false))
		if gidOf(t, file) != uint32(gid) {
			t.Error("Always did not walk the volume")
		}
	})

	t.Run("no fsGroup, nothing changes", func(t *testing.T) {
		dir := t.TempDir()
		must(t, setOwnership(dir, nil, nil, false))
		if gidOf(t, dir) != 0 {
			t.Error("group changed without fsGroup")
		}
	})
}

func TestPodFsUser(t *testing.T) {
	u := func(n int64) *int64 { return &n }
	tests := []struct {
		name string
		pod  v1.PodSpec
		want *int64
	}{
		{"nobody set", v1.PodSpec{Containers: []v1.Container{{}}}, nil},
		{"pod level", v1.PodSpec{SecurityContext: &v1.PodSecurityContext{RunAsUser: u(1000)}, Containers: []v1.Container{{}, {}}}, u(1000)},
		{"containers agree", v1.PodSpec{Containers: []v1.Container{
			{SecurityContext: &v1.SecurityContext{RunAsUser: u(7)}}, {SecurityContext: &v1.SecurityContext{RunAsUser: u(7)}}}}, u(7)},
		{"containers differ", v1.PodSpec{SecurityContext: &v1.PodSecurityContext{RunAsUser: u(1000)}, Containers: []v1.Container{
			{}, {SecurityContext: &v1.SecurityContext{RunAsUser: u(7)}}}}, nil},
	}
	for _, tt := range tests {
		got := podFsUser(&v1.Pod{Spec: tt.pod})
		if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
