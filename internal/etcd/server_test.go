package etcd

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/hanok-dev/hanok/internal/pki"
)

// freePorts reserves n distinct free ports on 127.0.0.1 and releases them
// for the member to take.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ports []int
	var lns []net.Listener
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}

// testConfig is a TLS member on a fresh data dir, with certificates from
// the pki package laid out as hanok lays them out.
func testConfig(t testing.TB) Config {
	t.Helper()
	dataDir := t.TempDir()
	b, err := pki.EnsureServer(pki.Options{
		Dir:      filepath.Join(dataDir, "server", "tls"),
		Hostname: "test-node",
	})
	if err != nil {
		t.Fatal(err)
	}
	ports := freePorts(t, 3)
	return Config{
		DataDir:    filepath.Join(dataDir, "server", "db", "etcd"),
		ClientURL:  fmt.Sprintf("https://127.0.0.1:%d", ports[0]),
		PeerURL:    fmt.Sprintf("https://127.0.0.1:%d", ports[1]),
		MetricsURL: fmt.Sprintf("http://127.0.0.1:%d", ports[2]),
		ServerTLS:  TLSFiles{b.Etcd.Server.CertFile, b.Etcd.Server.KeyFile, b.Etcd.ServerCA.CertFile},
		PeerTLS:    TLSFiles{b.Etcd.Peer.CertFile, b.Etcd.Peer.KeyFile, b.Etcd.PeerCA.CertFile},
		ClientTLS:  TLSFiles{b.Etcd.Client.CertFile, b.Etcd.Client.KeyFile, b.Etcd.ServerCA.CertFile},
	}
}

func startMember(t *testing.T, cfg Config) (*Server, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	begin := time.Now()
	s, err := Start(ctx, cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	took := time.Since(begin)
	t.Cleanup(s.Stop)
	return s, took
}

func TestStartPutStopRestart(t *testing.T) {
	cfg := testConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	s, took := startMember(t, cfg)
	t.Logf("first start (new data dir): %v", took)
	if !regexp.MustCompile(`^.+-[0-9a-f]{8}$`).MatchString(s.Name()) {
		t.Errorf("member name %q, want <hostname>-<8 hex>", s.Name())
	}
	if got := s.Endpoints(); len(got) != 1 || got[0] != cfg.ClientURL {
		t.Errorf("Endpoints() = %v, want [%s]", got, cfg.ClientURL)
	}
	if err := s.Health(ctx); err != nil {
		t.Fatalf("Health: %v", err)
	}
	put, err := s.Client().Put(ctx, "/registry/test/a", "v1")
	if err != nil {
		t.Fatal(err)
	}
	rev := put.Header.Revision
	got, err := s.Client().Get(ctx, "/registry/test/a")
	if err != nil || len(got.Kvs) != 1 || string(got.Kvs[0].Value) != "v1" {
		t.Fatalf("Get = %v, %v", got, err)
	}
	name := s.Name()
	s.Stop()
	s.Stop() // idempotent

	var restarts []time.Duration
	for range 3 {
		s, took = startMember(t, cfg)
		restarts = append(restarts, took)
		got, err = s.Client().Get(ctx, "/registry/test/a")
		if err != nil || len(got.Kvs) != 1 {
			t.Fatalf("after restart: Get = %v, %v", got, err)
		}
		if kv := got.Kvs[0]; string(kv.Value) != "v1" || kv.ModRevision != rev || got.Header.Revision != rev {
			t.Errorf("after restart: value %q mod rev %d header rev %d, want v1 at %d",
				kv.Value, kv.ModRevision, got.Header.Revision, rev)
		}
		if s.Name() != name {
			t.Errorf("name changed across restart: %q -> %q", name, s.Name())
		}
		s.Stop()
	}
	t.Logf("restarts on the existing data dir: %v", restarts)
	if n := cfg.withDefaults().memberCount(); n != 1 {
		t.Errorf("memberCount() on the stopped data dir = %d, want 1", n)
	}
}

// TestStartOnPortZero is how tests run throwaway members side by side: the
// kernel picks the ports, and Endpoints and the client use the one taken.
func TestStartOnPortZero(t *testing.T) {
	s, _ := startMember(t, Config{
		DataDir:   filepath.Join(t.TempDir(), "etcd"),
		ClientURL: "http://127.0.0.1:0", PeerURL: "http://127.0.0.1:0",
		UnsafeNoFsync: true,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if got := s.Endpoints(); len(got) != 1 || strings.HasSuffix(got[0], ":0") {
		t.Errorf("Endpoints() = %v, want the port the kernel picked", got)
	}
	if _, err := s.Client().Put(ctx, "/k", "v"); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if err := s.Health(ctx); err != nil {
		t.Fatalf("Health: %v", err)
	}
}

// TestAcknowledgedWritesSurviveStop writes concurrently right up to Stop:
// every write that returned success must be there after a restart.
func TestAcknowledgedWritesSurviveStop(t *testing.T) {
	cfg := testConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, _ := startMember(t, cfg)

	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
	)
	for w := range 4 {
		wg.Go(func() {
			for i := range 50 {
				key := fmt.Sprintf("/k/%d/%d", w, i)
				if _, err := s.Client().Put(ctx, key, "x"); err != nil {
					return
				}
				mu.Lock()
				acked = append(acked, key)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	s.Stop()

	s, _ = startMember(t, cfg)
	resp, err := s.Client().Get(ctx, "/k/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	if resp.Count != int64(len(acked)) {
		t.Errorf("found %d keys after restart, %d were acknowledged", resp.Count, len(acked))
	}
}

func TestCompact(t *testing.T) {
	cfg := testConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, _ := startMember(t, cfg)
	first, err := s.Client().Put(ctx, "k", "1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Client().Put(ctx, "k", "2"); err != nil {
		t.Fatal(err)
	}
	if err := s.Compact(ctx, first.Header.Revision+1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Client().Get(ctx, "k", clientv3.WithRev(first.Header.Revision)); err == nil {
		t.Error("read at a compacted revision succeeded")
	}
}

func TestStartFailsOnTakenPort(t *testing.T) {
	tests := []struct {
		name string
		url  func(Config) string
	}{
		{"client port", func(c Config) string { return c.ClientURL }},
		{"peer port", func(c Config) string { return c.PeerURL }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			addr := strings.TrimPrefix(tt.url(cfg), "https://")
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()

			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			begin := time.Now()
			s, err := Start(ctx, cfg)
			if err == nil {
				s.Stop()
				t.Fatal("Start succeeded on a taken port")
			}
			t.Logf("Start error: %v", err)
			if !strings.Contains(err.Error(), "already in use") {
				t.Errorf("error does not say the port is in use: %v", err)
			}
			if took := time.Since(begin); took > 5*time.Second {
				t.Errorf("Start took %v to fail; want an immediate error", took)
			}
		})
	}
}

// TestSecondMemberOnSameDataDirFails covers the realistic case: hanok
// started twice. The second must fail, not hang or corrupt the first.
func TestSecondMemberOnSameDataDirFails(t *testing.T) {
	cfg := testConfig(t)
	s, _ := startMember(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if s2, err := Start(ctx, cfg); err == nil {
		s2.Stop()
		t.Fatal("second Start on the same ports and data dir succeeded")
	}
	if err := s.Health(ctx); err != nil {
		t.Errorf("first member unhealthy after the failed second start: %v", err)
	}
}

// BenchmarkRestart measures Start on an existing data dir, what every hanok
// restart pays (Stop is excluded from start-ms/op).
func BenchmarkRestart(b *testing.B) {
	cfg := testConfig(b)
	s, err := Start(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	s.Stop()
	var total time.Duration
	for range b.N {
		begin := time.Now()
		s, err := Start(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		total += time.Since(begin)
		s.Stop()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "start-ms/op")
}
