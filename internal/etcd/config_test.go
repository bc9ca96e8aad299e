package etcd

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
)

func TestValidate(t *testing.T) {
	tlsFiles := TLSFiles{"c.crt", "c.key", "ca.crt"}
	base := Config{DataDir: "/d", ServerTLS: tlsFiles, PeerTLS: tlsFiles}
	tests := []struct {
		name    string
		mutate  func(*Config)
		wantErr string
	}{
		{"defaults with TLS", func(*Config) {}, ""},
		{"no data dir", func(c *Config) { c.DataDir = "" }, "DataDir"},
		{"bad cluster state", func(c *Config) { c.ClusterState = "joining" }, "ClusterState"},
		{"existing without cluster", func(c *Config) { c.ClusterState = "existing" }, "InitialCluster"},
		{"https client without cert", func(c *Config) { c.ServerTLS = TLSFiles{} }, "client URL"},
		{"https peer without cert", func(c *Config) { c.PeerTLS = TLSFiles{} }, "PeerURL"},
		{"http with TLS files", func(c *Config) { c.ClientURL = "http://127.0.0.1:2379" }, "use https"},
		{"plain http", func(c *Config) {
			c.ClientURL, c.PeerURL = "http://127.0.0.1:2379", "http://127.0.0.1:2380"
			c.ServerTLS, c.PeerTLS = TLSFiles{}, TLSFiles{}
		}, ""},
		{"no port", func(c *Config) { c.ClientURL = "https://127.0.0.1" }, "host:port"},
		{"bad scheme", func(c *Config) { c.ExtraClientURLs = []string{"unix://x:1"} }, "scheme"},
		{"metrics over https", func(c *Config) { c.MetricsURL = "https://127.0.0.1:2381" }, "MetricsURL"},
		{"bad log level", func(c *Config) { c.LogLevel = "loud" }, "LogLevel"},
		{"half raft timing", func(c *Config) { c.ElectionTimeout = time.Second }, "HeartbeatInterval"},
		{"client cert without key", func(c *Config) { c.ClientTLS = TLSFiles{CertFile: "cl.crt"} }, "ClientTLS"},
		{"port 0", func(c *Config) { c.ClientURL, c.PeerURL = "https://127.0.0.1:0", "https://127.0.0.1:0" }, ""},
		{"port 0 with extra URLs", func(c *Config) {
			c.ClientURL, c.ExtraClientURLs = "https://127.0.0.1:0", []string{"https://10.0.0.1:2379"}
		}, "port 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.mutate(&c)
			err := c.withDefaults().validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestWithDefaults(t *testing.T) {
	c := Config{DataDir: "/d", ServerTLS: TLSFiles{"s.crt", "s.key", "ca.crt"}}.withDefaults()
	if c.ClientURL != DefaultClientURL || c.PeerURL != DefaultPeerURL || c.ClusterState != "new" {
		t.Errorf("URLs/state not defaulted: %+v", c)
	}
	// The server cert doubles as the client identity when none is given.
	if c.ClientTLS != c.ServerTLS {
		t.Errorf("ClientTLS = %+v, want ServerTLS %+v", c.ClientTLS, c.ServerTLS)
	}
	explicit := Config{ClientTLS: TLSFiles{CertFile: "cl.crt", KeyFile: "cl.key"}, ServerTLS: TLSFiles{"s.crt", "s.key", "ca.crt"}}.withDefaults()
	if explicit.ClientTLS != (TLSFiles{"cl.crt", "cl.key", "ca.crt"}) {
		t.Errorf("explicit ClientTLS = %+v", explicit.ClientTLS)
	}
}

func TestEmbedConfig(t *testing.T) {
	c := Config{
		DataDir:         "/d",
		ClientURL:       "https://127.0.0.1:2379",
		ExtraClientURLs: []string{"https://10.0.0.5:2379"},
		PeerURL:         "https://10.0.0.5:2380",
		MetricsURL:      "http://127.0.0.1:2381",
		ServerTLS:       TLSFiles{"s.crt", "s.key", "ca.crt"},
		PeerTLS:         TLSFiles{"p.crt", "p.key", "pca.crt"},
	}.withDefaults()
	ec, err := c.embedConfig("node-1234abcd", zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"initial cluster", ec.InitialCluster, "node-1234abcd=https://10.0.0.5:2380"},
		{"client URLs", len(ec.ListenClientUrls), 2},
		{"advertised client URLs", ec.AdvertiseClientUrls[1].Host, "10.0.0.5:2379"},
		{"metrics URL", ec.ListenMetricsUrls[0].Host, "127.0.0.1:2381"},
		{"quota", ec.QuotaBackendBytes, int64(2 << 30)},
		{"compaction mode", ec.AutoCompactionMode, "periodic"},
		{"compaction retention", ec.AutoCompactionRetention, (5 * time.Minute).String()},
		{"log level", ec.LogLevel, "error"},
		{"client cert auth", ec.ClientTLSInfo.ClientCertAuth, true},
		{"peer cert auth", ec.PeerTLSInfo.ClientCertAuth, true},
		{"grpc gateway", ec.EnableGRPCGateway, false},
		{"lone member heartbeat", ec.TickMs, uint(20)},
		{"lone member election", ec.ElectionMs, uint(100)},
		{"tracing", ec.EnableDistributedTracing, false},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %v, want %v", ck.name, ck.got, ck.want)
		}
	}
	if err := ec.Validate(); err != nil {
		t.Errorf("etcd rejects the config: %v", err)
	}
}

func TestMemberName(t *testing.T) {
	dir := t.TempDir()
	if got, _ := memberName(dir, "explicit"); got != "explicit" {
		t.Errorf("configured name ignored: %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, nameFile)); !os.IsNotExist(err) {
		t.Error("a configured name was persisted")
	}
	first, err := memberName(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^.+-[0-9a-f]{8}$`).MatchString(first) {
		t.Errorf("generated name %q", first)
	}
	second, err := memberName(dir, "")
	if err != nil || second != first {
		t.Errorf("name not kept: %q then %q (%v)", first, second, err)
	}
}

func TestTiming(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want raftTiming
	}{
		{"new lone member", Config{}, singleMemberTiming},
		{"new member of one", Config{InitialCluster: "a=https://127.0.0.1:2380"}, singleMemberTiming},
		{"new cluster of three", Config{InitialCluster: "a=https://10.0.0.1:2380,b=https://10.0.0.2:2380,c=https://10.0.0.3:2380"}, clusterTiming},
		{"joining", Config{ClusterState: "existing", InitialCluster: "a=https://10.0.0.1:2380,b=https://10.0.0.2:2380"}, clusterTiming},
		{"explicit", Config{HeartbeatInterval: 50 * time.Millisecond, ElectionTimeout: 500 * time.Millisecond},
			raftTiming{50 * time.Millisecond, 500 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.DataDir = t.TempDir()
			if got := tt.cfg.timing(); got != tt.want {
				t.Errorf("timing() = %+v, want %+v", got, tt.want)
			}
		})
	}
	// An initialized data dir whose backend cannot be read is treated as a
	// cluster: the safe timing.
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "member", "wal"), 0o700); err != nil {
		t.Fatal(err)
	}
	if got := (Config{DataDir: dir}).timing(); got != clusterTiming {
		t.Errorf("unreadable data dir: timing() = %+v, want clusterTiming", got)
	}
}
