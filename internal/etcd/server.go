package etcd

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap/zapcore"
)

// Server is a running member and its shared client.
type Server struct {
	cfg    Config
	name   string
	etcd   *embed.Etcd
	client *clientv3.Client

	stopping atomic.Bool // set before closing; quiets etcd's shutdown noise
	stopOnce sync.Once
}

// Start starts the member and returns once it is ready to serve (it has a
// leader and has published itself), or with an error if ctx ends, the
// ReadyTimeout passes first, or etcd fails (a port in use fails at once).
func Start(ctx context.Context, cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("etcd: %w", err)
	}
	// etcd warns unless its data dir is private.
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("etcd: create data dir: %w", err)
	}
	name, err := memberName(cfg.DataDir, cfg.Name)
	if err != nil {
		return nil, fmt.Errorf("etcd: %w", err)
	}
	s := &Server{cfg: cfg, name: name}
	level, _ := zapcore.ParseLevel(cfg.LogLevel) // checked by validate
	lg := newLogger(level, &s.stopping)
	ec, err := cfg.embedConfig(name, lg)
	if err != nil {
		return nil, fmt.Errorf("etcd: %w", err)
	}

	if s.etcd, err = embed.StartEtcd(ec); err != nil {
		return nil, startError(name, cfg, err)
	}
	if err := s.waitReady(ctx); err != nil {
		s.closeEtcd()
		return nil, err
	}
	if hasPortZero(s.cfg.ClientURL) {
		// The kernel picked the port: dial and report the one taken.
		s.cfg.ClientURL = s.listenedClientURL()
	}
	if s.client, err = newClient(ctx, s.cfg, lg); err != nil {
		s.closeEtcd()
		return nil, err
	}
	return s, nil
}

// startError explains a failed start; a taken port is the common case (a
// second hanok, or a system etcd) and deserves to be named as such.
func startError(name string, cfg Config, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("etcd: member %s: %w (is another hanok or etcd using %s or %s?)",
			name, err, cfg.ClientURL, cfg.PeerURL)
	}
	return fmt.Errorf("etcd: start member %s in %s: %w", name, cfg.DataDir, err)
}

// waitReady blocks until etcd reports ready or something ends the wait.
func (s *Server) waitReady(ctx context.Context) error {
	timer := time.NewTimer(s.cfg.ReadyTimeout)
	defer timer.Stop()
	select {
	case <-s.etcd.Server.ReadyNotify():
		return nil
	case err := <-s.etcd.Err():
		return fmt.Errorf("etcd: member %s failed while starting: %w", s.name, err)
	case <-s.etcd.Server.StopNotify():
		return fmt.Errorf("etcd: member %s stopped while starting", s.name)
	case <-ctx.Done():
		return fmt.Errorf("etcd: waiting for member %s to be ready: %w", s.name, ctx.Err())
	case <-timer.C:
		return fmt.Errorf("etcd: member %s not ready after %s (no quorum? when joining, are the other members reachable?)", s.name, s.cfg.ReadyTimeout)
	}
}

// listenedClientURL is ClientURL with the port its listener actually got.
func (s *Server) listenedClientURL() string {
	u, _ := url.Parse(s.cfg.ClientURL) // parsed by validate
	u.Host = s.etcd.Clients[0].Addr().String()
	return u.String()
}

// Client is the one shared client for everything in this process. Do not
// Close it; Stop does.
func (s *Server) Client() *clientv3.Client { return s.client }

// Endpoints are the client URLs this member serves, ClientURL first.
func (s *Server) Endpoints() []string { return s.cfg.clientURLs() }

// Name is the member name (persisted in DataDir/name when generated).
func (s *Server) Name() string { return s.name }

// Done is closed when the member stops, whether by Stop or on its own (for
// example, removed from the cluster). The server supervisor watches it.
func (s *Server) Done() <-chan struct{} { return s.etcd.Server.StopNotify() }

// Err reports errors from etcd's listeners after start; it is closed by Stop.
func (s *Server) Err() <-chan error { return s.etcd.Err() }

// Stop closes the client and then the member, waiting until etcd's
// goroutines have exited and its WAL and backend are closed. Every write
// acknowledged before Stop is on disk (etcd syncs the WAL before it
// acknowledges). Safe to call more than once.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		if s.client != nil {
			s.client.Close()
		}
		s.closeEtcd()
	})
}

// closeEtcd closes the member, first telling the logger that the listener
// errors etcd is about to report are its own doing.
func (s *Server) closeEtcd() {
	s.stopping.Store(true)
	s.etcd.Close()
}
