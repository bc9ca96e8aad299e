package testserver

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/hanok-dev/hanok/internal/apiserver"
	"github.com/hanok-dev/hanok/internal/controlplane"
	"github.com/hanok-dev/hanok/internal/etcd"
	"github.com/hanok-dev/hanok/internal/pki"
)

// Server is a running API server with its etcd, both on a temp dir.
type Server struct {
	dir        string
	ownsDir    bool
	url        string
	kubeconfig string
	restConfig *rest.Config
	client     kubernetes.Interface

	pki    *pki.Bundle
	etcd   *etcd.Server
	api    *apiserver.Server
	http   *http.Server
	cancel context.CancelFunc

	stopOnce sync.Once
}

// Start starts a Server for one test and stops it when the test ends. It
// fails the test if the server cannot start.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := start(t.TempDir(), false, opts)
	if err != nil {
		t.Fatalf("testserver: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

// New starts a Server that outlives any one test (for TestMain or a
// package-wide shared server); the caller must Stop it.
func New(opts ...Option) (*Server, error) {
	dir, err := os.MkdirTemp("", "hanok-testserver-")
	if err != nil {
		return nil, err
	}
	s, err := start(dir, true, opts)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("testserver: %w", err)
	}
	return s, nil
}

func start(dir string, ownsDir bool, opts []Option) (s *Server, err error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	s = &Server{dir: dir, ownsDir: false}
	defer func() {
		if err != nil {
			s.Stop()
		}
	}()
	loopback := net.IPv4(127, 0, 0, 1)
	bundle, err := pki.EnsureServer(pki.Options{
		Dir: filepath.Join(dir, "tls"), NodeIP: loopback, Hostname: "testserver", ServiceCIDR: o.serviceCIDR,
	})
	if err != nil {
		return s, err
	}
	s.pki = bundle
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Plain HTTP on loopback: etcd's TLS is covered by the etcd package's
	// tests and `hanok server`; here it would only slow every request.
	if s.etcd, err = etcd.Start(ctx, etcd.Config{
		DataDir:   filepath.Join(dir, "etcd"),
		ClientURL: "http://127.0.0.1:0", PeerURL: "http://127.0.0.1:0",
		UnsafeNoFsync: true,
	}); err != nil {
		return s, err
	}

	// The listener comes first: the kubernetes Service's endpoints carry
	// its port.
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return s, err
	}
	port := listener.Addr().(*net.TCPAddr).Port
	apiCtx, apiCancel := context.WithCancel(context.Background())
	s.cancel = apiCancel
	cpConfig := controlplane.Config{
		Etcd:             s.etcd.Client(),
		ClientCAs:        bundle.ClientCA.Pool,
		ServiceCIDR:      o.serviceCIDR,
		AdvertiseAddress: loopback,
		Port:             port,
		Health:           map[string]func(context.Context) error{"etcd": s.etcd.Health},
		TuneStorage:      o.tuneStorage,
		PKI:              bundle,
	}
	if o.controlplane != nil {
		o.controlplane(&cpConfig)
	}
	api, _, err := controlplane.NewAPIServer(apiCtx, cpConfig)
	if err != nil {
		listener.Close()
		return s, err
	}
	s.api = api
	tlsConfig := bundle.APIServerTLSConfig()
	tlsConfig.NextProtos = []string{"h2", "http/1.1"} // as `hanok server`: client-go speaks HTTP/2
	s.http = &http.Server{Handler: api, TLSConfig: tlsConfig, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = s.http.ServeTLS(listener, "", "") }()

	if err := api.Bootstrap(ctx); err != nil {
		return s, err
	}
	api.SetReady()

	s.url = fmt.Sprintf("https://127.0.0.1:%d", port)
	s.kubeconfig = filepath.Join(dir, "kubeconfig.yaml")
	if err := pki.WriteKubeconfig(s.kubeconfig, 0o600, s.url, bundle.ServerCAPEM(), bundle.Admin.CertPEM, bundle.Admin.KeyPEM); err != nil {
		return s, err
	}
	s.restConfig = pki.RESTConfig(s.url, bundle.ServerCAPEM(), bundle.Admin.CertPEM, bundle.Admin.KeyPEM)
	// Tests create hundreds of objects; client-go's default 5 QPS would
	// make them slow for nothing. A negative QPS turns the limiter off.
	s.restConfig.QPS = -1
	s.restConfig.UserAgent = "testserver"
	if s.client, err = kubernetes.NewForConfig(s.restConfig); err != nil {
		return s, err
	}
	s.ownsDir = ownsDir
	return s, nil
}

// Stop stops the API server (ending its watches), then etcd, and removes
// the temp dir if New made it. Safe to call more than once.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		if s.cancel != nil {
			s.cancel() // watch caches stop; open watches end
		}
		if s.http != nil {
			_ = s.http.Close()
		}
		if s.etcd != nil {
			s.etcd.Stop()
		}
		if s.ownsDir {
			os.RemoveAll(s.dir)
		}
	})
}

// RESTConfig is a cluster-admin client config (system:masters); each call
// returns a copy the caller may change (ContentType, UserAgent, ...).
func (s *Server) RESTConfig() *rest.Config { return rest.CopyConfig(s.restConfig) }

// Client is a cluster-admin clientset (JSON).
func (s *Server) Client() kubernetes.Interface { return s.client }

// URL is the API server's base URL, https://127.0.0.1:<port>.
func (s *Server) URL() string { return s.url }

// KubeconfigPath is an admin kubeconfig for kubectl.
func (s *Server) KubeconfigPath() string { return s.kubeconfig }

// Etcd is a client of the server's etcd, for what no API request can do
// (compacting history, checking what is stored). Do not close it.
func (s *Server) Etcd() *clientv3.Client { return s.etcd.Client() }
