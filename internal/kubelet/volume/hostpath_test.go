package volume

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
)

func TestCheckHostPath(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	must(t, os.WriteFile(file, nil, 0o644))
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	tests := []struct {
		name    string
		path    string
		typ     v1.HostPathType
		wantErr string
		check   func(t *testing.T, p string)
	}{
		{name: "unset missing is fine", path: filepath.Join(dir, "missing"), typ: v1.HostPathUnset},
		{name: "directory", path: dir, typ: v1.HostPathDirectory},
		{name: "directory missing", path: filepath.Join(dir, "nope"), typ: v1.HostPathDirectory, wantErr: "is not a directory"},
		{name: "directory is file", path: file, typ: v1.HostPathDirectory, wantErr: "is not a directory"},
		{name: "directoryOrCreate", path: filepath.Join(dir, "a/b"), typ: v1.HostPathDirectoryOrCreate, check: func(t *testing.T, p string) {
			if st, err := os.Stat(p); err != nil || !st.IsDir() {
				t.Errorf("not created: %v", err)
			}
		}},
		{name: "directoryOrCreate on file", path: file, typ: v1.HostPathDirectoryOrCreate, wantErr: "is not a directory"},
		{name: "file", path: file, typ: v1.HostPathFile},
		{name: "file is dir", path: dir, typ: v1.HostPathFile, wantErr: "is not a file"},
		{name: "fileOrCreate", path: filepath.Join(dir, "new"), typ: v1.HostPathFileOrCreate, check: func(t *testing.T, p string) {
			if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
				t.Errorf("not created: %v", err)
			}
		}},
		{name: "fileOrCreate needs parent", path: filepath.Join(dir, "noparent/new"), typ: v1.HostPathFileOrCreate, wantErr: "creating"},
		{name: "socket", path: sock, typ: v1.HostPathSocket},
		{name: "socket is file", path: file, typ: v1.HostPathSocket, wantErr: "is not a socket file"},
		{name: "char device", path: "/dev/null", typ: v1.HostPathCharDev},
		{name: "char device is file", path: file, typ: v1.HostPathCharDev, wantErr: "is not a character device"},
		{name: "block device is char", path: "/dev/null", typ: v1.HostPathBlockDev, wantErr: "is not a block device"},
		{name: "unknown type", path: dir, typ: "Weird", wantErr: "unsupported hostPath type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkHostPath(tt.path, tt.typ)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, tt.path)
			}
		})
	}
}

// A type check failure is reported with the volume's name.
func TestMountNamesFailingVolume(t *testing.T) {
	m := NewManager(Options{RootDir: t.TempDir()})
	dirType := v1.HostPathDirectory
	pod := &v1.Pod{}
	pod.UID = "uid-1"
	pod.Spec.Volumes = []v1.Volume{
		{Name: "good", VolumeSource: v1.VolumeSource{EmptyDir: &v1.EmptyDirVolumeSource{}}},
		{Name: "data", VolumeSource: v1.VolumeSource{HostPath: &v1.HostPathVolumeSource{Path: "/nonexistent/hanok", Type: &dirType}}},
	}
	got, err := m.Mount(t.Context(), pod)
	if err == nil || !strings.Contains(err.Error(), `MountVolume.SetUp failed for volume "data" : hostPath type check failed: /nonexistent/hanok is not a directory`) {
		t.Fatalf("err = %v", err)
	}
	if _, ok := got["good"]; !ok {
		t.Errorf("the good volume was not prepared: %v", got)
	}
	must(t, m.Unmount(t.Context(), pod.UID))
}
