package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/hanok-dev/hanok/internal/server"
)

// parseServer runs `hanok server args...` through the real flag set,
// config-file loading and checks, returning the config instead of running.
func parseServer(t *testing.T, configYAML string, args ...string) (*server.Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(configYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	var got *server.Config
	cmd := serverCommand()
	cmd.Action = func(c *cli.Context) error {
		cfg, err := serverConfig(c)
		got = cfg
		return err
	}
	app := &cli.App{Name: "hanok", Commands: []*cli.Command{cmd}}
	err := app.RunContext(context.Background(), append([]string{"hanok", "server", "--config", path}, args...))
	return got, err
}

func TestServerDefaults(t *testing.T) {
	cfg, err := parseServer(t, "")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "/var/lib/hanok" || cfg.HTTPSPort != 6443 || cfg.WriteKubeconfig != "/etc/hanok/hanok.yaml" ||
		cfg.WriteKubeconfigMode != "0600" || cfg.ClusterCIDR.String() != "10.42.0.0/16" ||
		cfg.ServiceCIDR.String() != "10.43.0.0/16" || cfg.ClusterDNS.String() != "10.43.0.10" ||
		cfg.ClusterDomain != "cluster.local" || cfg.EtcdClientPort != 2379 || cfg.EtcdPeerPort != 2380 {
		t.Fatalf("defaults: %+v", cfg)
	}
	if cfg.NodeName == "" || cfg.NodeIP == nil || !cfg.AdvertiseAddress.Equal(cfg.NodeIP) {
		t.Fatalf("node name/IP defaults: %+v", cfg)
	}
}

func TestServerConfigFile(t *testing.T) {
	yaml := "data-dir: /srv/hanok\ntls-san:\n  - a.example\n  - 10.0.0.9\nnode-name: Edge-1\nhttps-listen-port: 7443\ndisable: [metrics-server]\n"
	cfg, err := parseServer(t, yaml, "--https-listen-port", "8443")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "/srv/hanok" || cfg.NodeName != "edge-1" || strings.Join(cfg.TLSSANs, ",") != "a.example,10.0.0.9" ||
		strings.Join(cfg.Disable, ",") != "metrics-server" {
		t.Fatalf("config file values not applied: %+v", cfg)
	}
	if cfg.HTTPSPort != 8443 {
		t.Fatalf("the command line must win over the config file: port %d", cfg.HTTPSPort)
	}
}

func TestServerEnvironment(t *testing.T) {
	t.Setenv("HANOK_TOKEN", "s3cret")
	t.Setenv("HANOK_DATA_DIR", "/tmp/from-env")
	cfg, err := parseServer(t, "")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Token != "s3cret" || cfg.DataDir != "/tmp/from-env" {
		t.Fatalf("environment not applied: %+v", cfg)
	}
}

func TestServerBadInput(t *testing.T) {
	tests := []struct {
		name, yaml string
		args       []string
		wantInErr  string
	}{
		{"bad CIDR", "", []string{"--cluster-cidr", "10.42.0.0"}, "--cluster-cidr"},
		{"bad node IP", "", []string{"--node-ip", "abc"}, "--node-ip"},
		{"DNS outside services", "", []string{"--cluster-dns", "10.99.0.10"}, "--cluster-dns"},
		{"port out of range", "", []string{"--https-listen-port", "70000"}, "--https-listen-port"},
		{"unknown config key", "no-such-flag: 1\n", nil, `unknown key "no-such-flag"`},
		{"malformed config", "data-dir: [\n", nil, "config file"},
		{"join not yet supported", "", []string{"--server", "https://10.0.0.1:6443"}, "--server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseServer(t, tt.yaml, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.wantInErr) {
				t.Fatalf("want an error naming %q, got %v", tt.wantInErr, err)
			}
		})
	}
}

func TestMissingExplicitConfigFile(t *testing.T) {
	app := &cli.App{Name: "hanok", Commands: []*cli.Command{serverCommand()}}
	err := app.RunContext(context.Background(), []string{"hanok", "server", "--config", "/nonexistent/hanok.yaml"})
	if err == nil || !strings.Contains(err.Error(), "reading config file") {
		t.Fatalf("want a config file error, got %v", err)
	}
}
