package volume

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func TestResolveSubPath(t *testing.T) {
	outside := t.TempDir()
	base := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(base, "data/inner"), 0o755))
	must(t, os.WriteFile(filepath.Join(base, "file"), []byte("x"), 0o644))
	must(t, os.Symlink(outside, filepath.Join(base, "escape")))
	must(t, os.Symlink("/etc", filepath.Join(base, "abs-escape")))
	must(t, os.Symlink("data/inner", filepath.Join(base, "inside-link")))
	must(t, os.Symlink("../../..", filepath.Join(base, "data/up")))

	tests := []struct {
		subPath string
		create  bool
		want    string // relative to base when ok
		wantErr string
	}{
		{subPath: "data", want: "data"},
		{subPath: "data/inner", want: "data/inner"},
		{subPath: "file", want: "file"},
		{subPath: "inside-link", want: "data/inner"},
		{subPath: "new/dir", create: true, want: "new/dir"},
		{subPath: "other/dir", create: false, wantErr: "does not exist"},
		{subPath: "../x", wantErr: `must not contain ".."`},
		{subPath: "data/../../x", wantErr: `must not contain ".."`},
		{subPath: "/etc", wantErr: "must be a relative path"},
		{subPath: "escape", wantErr: "outside the volume"},
		{subPath: "escape/sub", create: true, wantErr: "outside the volume"},
		{subPath: "abs-escape", wantErr: "outside the volume"},
		{subPath: "data/up", wantErr: "outside the volume"},
	}
	for _, tt := range tests {
		t.Run(tt.subPath, func(t *testing.T) {
			got, err := resolveSubPath(base, tt.subPath, tt.create)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			realBase, _ := filepath.EvalSymlinks(base)
			if want := filepath.Join(realBase, tt.want); got != want {
				t.Errorf("got %s, want %s", got, want)
			}
		})
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("something was created outside the volume: %v", entries)
	}
}

func TestContainerMounts(t *testing.T) {
	base := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(base, "cfg"), 0o755))
	must(t, os.MkdirAll(filepath.Join(base, "scratch"), 0o777))
	if _, err := writeAtomic(filepath.Join(base, "cfg"), map[string]FileProjection{"app.conf": {Data: []byte("x"), Mode: 0o644}}, nil); err != nil {
		t.Fatal(err)
	}
	vols := Mounted{
		"cfg":     {HostPath: filepath.Join(base, "cfg"), ReadOnly: true},
		"scratch": {HostPath: filepath.Join(base, "scratch")},
	}
	pod := &v1.Pod{}
	pod.Name = "web-1"
	hostToContainer := v1.MountPropagationHostToContainer
	bidi := v1.MountPropagationBidirectional
	yes := true

	tests := []struct {
		name    string
		c       v1.Container
		check   func(t *testing.T, m []*runtimeapi.Mount)
		wantErr string
	}{
		{
			name: "plain, readOnly and forced readOnly",
			c: v1.Container{Name: "c", VolumeMounts: []v1.VolumeMount{
				{Name: "scratch", MountPath: "/s"},
				{Name: "scratch", MountPath: "/ro", ReadOnly: true},
				{Name: "cfg", MountPath: "/etc/app"},
			}},
			check: func(t *testing.T, m []*runtimeapi.Mount) {
				if len(m) != 3 || m[0].Readonly || !m[1].Readonly || !m[2].Readonly {
					t.Errorf("readonly flags wrong: %v", m)
				}
				if m[0].HostPath != vols["scratch"].HostPath || m[0].ContainerPath != "/s" {
					t.Errorf("mount 0 = %v", m[0])
				}
				if m[0].Propagation != runtimeapi.MountPropagation_PROPAGATION_PRIVATE {
					t.Errorf("default propagation = %v", m[0].Propagation)
				}
			},
		},
		{
			name: "subPath of a configMap key",
			c:    v1.Container{Name: "c", VolumeMounts: []v1.VolumeMount{{Name: "cfg", MountPath: "/app.conf", SubPath: "app.conf"}}},
			check: func(t *testing.T, m []*runtimeapi.Mount) {
				b, err := os.ReadFile(m[0].HostPath)
				if err != nil || string(b) != "x" {
					t.Errorf("subPath host file %s: %q %v", m[0].HostPath, b, err)
				}
			},
		},
		{
			name: "subPathExpr from fieldRef env",
			c: v1.Container{Name: "c",
				Env:          []v1.EnvVar{{Name: "POD", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{FieldPath: "metadata.name"}}}},
				VolumeMounts: []v1.VolumeMount{{Name: "scratch", MountPath: "/logs", SubPathExpr: "logs/$(POD)"}}},
			check: func(t *testing.T, m []*runtimeapi.Mount) {
				if !strings.HasSuffix(m[0].HostPath, "/scratch/logs/web-1") {
					t.Errorf("host path %s", m[0].HostPath)
				}
				if st, err := os.Stat(m[0].HostPath); err != nil || !st.IsDir() {
					t.Errorf("subPath folder not created: %v", err)
				}
			},
		},
		{
			name: "propagation",
			c: v1.Container{Name: "c", SecurityContext: &v1.SecurityContext{Privileged: &yes}, VolumeMounts: []v1.VolumeMount{
				{Name: "scratch", MountPath: "/a", MountPropagation: &hostToContainer},
				{Name: "scratch", MountPath: "/b", MountPropagation: &bidi},
			}},
			check: func(t *testing.T, m []*runtimeapi.Mount) {
				if m[0].Propagation != runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER || m[1].Propagation != runtimeapi.MountPropagation_PROPAGATION_BIDIRECTIONAL {
					t.Errorf("propagation %v %v", m[0].Propagation, m[1].Propagation)
				}
			},
		},
		{
			name:    "bidirectional needs privileged",
			c:       v1.Container{Name: "c", VolumeMounts: []v1.VolumeMount{{Name: "scratch", MountPath: "/b", MountPropagation: &bidi}}},
			wantErr: `volumeMount "scratch" at "/b" of container "c": mountPropagation Bidirectional`,
		},
		{
			name:    "subPath escape names the mount",
			c:       v1.Container{Name: "c", VolumeMounts: []v1.VolumeMount{{Name: "scratch", MountPath: "/x", SubPath: "../../etc"}}},
			wantErr: `volumeMount "scratch" at "/x" of container "c": subPath "../../etc" must not contain ".."`,
		},
		{
			name:    "subPathExpr escape",
			c:       v1.Container{Name: "c", Env: []v1.EnvVar{{Name: "UP", Value: ".."}}, VolumeMounts: []v1.VolumeMount{{Name: "scratch", MountPath: "/x", SubPathExpr: "$(UP)/etc"}}},
			wantErr: `must not contain ".."`,
		},
		{
			name:    "absolute subPath",
			c:       v1.Container{Name: "c", VolumeMounts: []v1.VolumeMount{{Name: "scratch", MountPath: "/x", SubPath: "/etc"}}},
			wantErr: "must be a relative path",
		},
		{
			name:    "unknown volume",
			c:       v1.Container{Name: "c", VolumeMounts: []v1.VolumeMount{{Name: "nope", MountPath: "/x"}}},
			wantErr: `volumeMount "nope" at "/x" of container "c": volume "nope" is not mounted`,
		},
		{
			name:    "missing key in read-only volume",
			c:       v1.Container{Name: "c", VolumeMounts: []v1.VolumeMount{{Name: "cfg", MountPath: "/x", SubPath: "missing"}}},
			wantErr: "does not exist in the read-only volume",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ContainerMounts(pod, &tt.c, vols)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, m)
		})
	}
}

func TestExpandEnv(t *testing.T) {
	env := func(n string) (string, bool) {
		v, ok := map[string]string{"A": "a", "EMPTY": ""}[n]
		return v, ok
	}
	for in, want := range map[string]string{
		"plain":       "plain",
		"$(A)/x":      "a/x",
		"$(EMPTY)x":   "x",
		"$(MISSING)":  "$(MISSING)",
		"$$(A)":       "$(A)",
		"$(A":         "$(A",
		"cost $5":     "cost $5",
		"end$":        "end$",
		"$(A)$(A)":    "aa",
		"x/$(A)/$(A)": "x/a/a",
	} {
		if got := expandEnv(in, env); got != want {
			t.Errorf("expandEnv(%q) = %q, want %q", in, got, want)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
