package etcdtest

import (
	"fmt"
	"net/url"
	"os"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
)

// Server is a running embedded etcd and a client connected to it.
type Server struct {
	Client *clientv3.Client
	etcd   *embed.Etcd
	dir    string
}

// Start runs a single-member etcd in a new temp dir. Ports are 0 so the
// kernel picks free ones: parallel test binaries never collide.
func Start() (*Server, error) {
	dir, err := os.MkdirTemp("", "hanok-etcdtest-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir}
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.Name = "test"
	// "fatal": etcd logs its own orderly shutdown at error level, which
	// would read like the cause of any failing test.
	cfg.LogLevel = "fatal"
	// Tests care about semantics, not durability: skipping fsync makes
	// writes ~10x cheaper on a loaded CI machine.
	cfg.UnsafeNoFsync = true
	local := url.URL{Scheme: "http", Host: "127.0.0.1:0"}
	cfg.ListenClientUrls = []url.URL{local}
	cfg.AdvertiseClientUrls = []url.URL{local}
	cfg.ListenPeerUrls = []url.URL{local}
	cfg.AdvertisePeerUrls = []url.URL{local}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start etcd: %w", err)
	}
	s.etcd = e
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(60 * time.Second):
		s.Stop()
		return nil, fmt.Errorf("etcd did not become ready within 60s")
	}
	endpoint := "http://" + e.Clients[0].Addr().String()
	s.Client, err = clientv3.New(clientv3.Config{
		Endpoints:   []string{endpoint},
		DialTimeout: 10 * time.Second,
	})
	if err != nil {
		s.Stop()
		return nil, fmt.Errorf("connect to etcd at %s: %w", endpoint, err)
	}
	return s, nil
}

// Stop closes the client and the server and removes the data dir.
func (s *Server) Stop() {
	if s.Client != nil {
		s.Client.Close()
	}
	if s.etcd != nil {
		s.etcd.Close()
	}
	os.RemoveAll(s.dir)
}
