package containerd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	srvconfig "github.com/containerd/containerd/v2/cmd/containerd/server/config"
	"github.com/pelletier/go-toml/v2"

	"github.com/hanok-dev/hanok/internal/datadir"
)

func TestWriteConfig(t *testing.T) {
	layout := datadir.New(t.TempDir())
	regFile := filepath.Join(t.TempDir(), "registries.yaml")
	err := os.WriteFile(regFile, []byte(`
mirrors: {"127.0.0.1:5000": {endpoint: ["http://127.0.0.1:5000"]}}
configs: {"127.0.0.1:5000": {auth: {username: "u\"ser", password: "p\\w"}}}
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	// A stale hosts file from an earlier registries.yaml must go.
	stale := filepath.Join(layout.ContainerdCertsDir(), "old.example.com", "hosts.toml")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	if err := WriteConfig(layout, ConfigOptions{PauseImage: "ghcr.io/hanok-dev/pause:3.10", RegistriesFile: regFile}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale hosts file kept: %v", err)
	}
	if _, err := os.Stat(filepath.Join(layout.ContainerdCertsDir(), "127.0.0.1:5000", "hosts.toml")); err != nil {
		t.Errorf("hosts file: %v", err)
	}

	// containerd's own loader accepts it (version, syntax) ...
	var cfg srvconfig.Config
	if err := srvconfig.LoadConfig(context.Background(), layout.ContainerdConfig(), &cfg); err != nil {
		t.Fatalf("containerd rejects the config: %v", err)
	}
	if cfg.Root != layout.ContainerdRoot() || cfg.State != layout.ContainerdState() || cfg.GRPC.Address != layout.ContainerdSocket() {
		t.Errorf("root/state/address = %q %q %q", cfg.Root, cfg.State, cfg.GRPC.Address)
	}

	// ... and the settings the node depends on are where CRI reads them.
	data, err := os.ReadFile(layout.ContainerdConfig())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	runtime := "plugins/io.containerd.cri.v1.runtime/"
	runc := runtime + "containerd/runtimes/runc/"
	images := "plugins/io.containerd.cri.v1.images/"
	want := map[string]any{
		"version":                                                 int64(3),
		runtime + "restrict_oom_score_adj":                        true,
		runtime + "enable_unprivileged_ports":                     true,
		runtime + "containerd/default_runtime_name":               "runc",
		runc + "runtime_type":                                     "io.containerd.runc.v2",
		runc + "runtime_path":                                     filepath.Join(layout.BinDir(), "containerd-shim-runc-v2"),
		runc + "options/SystemdCgroup":                            false,
		runc + "options/BinaryName":                               filepath.Join(layout.BinDir(), "runc"),
		runtime + "cni/conf_dir":                                  layout.CNIConfDir(),
		images + "snapshotter":                                    "overlayfs",
		images + "pinned_images/sandbox":                          "ghcr.io/hanok-dev/pause:3.10",
		images + "registry/config_path":                           layout.ContainerdCertsDir(),
		images + "registry/configs/127.0.0.1:5000/auth/username":  `u"ser`,
		images + "registry/configs/127.0.0.1:5000/auth/password":  `p\w`,
		"plugins/io.containerd.grpc.v1.cri/stream_server_address": "127.0.0.1",
		"plugins/io.containerd.grpc.v1.cri/stream_server_port":    "0",
		"plugins/io.containerd.nri.v1.nri/disable":                true,
		"plugins/io.containerd.shim.v1.manager/socket_dir":        filepath.Join(layout.ContainerdState(), "s"),
	}
	for path, v := range want {
		if got := lookup(doc, path); got != v {
			t.Errorf("%s = %#v, want %#v", path, got, v)
		}
	}
	if got := lookup(doc, runtime+"cni/bin_dirs"); len(got.([]any)) != 1 || got.([]any)[0] != layout.BinDir() {
		t.Errorf("cni bin_dirs = %#v", got)
	}
}

// lookup walks a decoded TOML document by "a/b/c" (keys may contain dots).
func lookup(doc map[string]any, path string) any {
	var cur any = doc
	for _, key := range strings.Split(path, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[key]
	}
	return cur
}

func TestTOMLString(t *testing.T) {
	cases := map[string]string{
		`plain`:     `"plain"`,
		`a"b\c`:     `"a\"b\\c"`,
		"tab\there": `"tab\u0009here"`,
		"uni✓":      `"uni✓"`,
	}
	for in, want := range cases {
		if got := tomlString(in); got != want {
			t.Errorf("tomlString(%q) = %s, want %s", in, got, want)
		}
	}
}
