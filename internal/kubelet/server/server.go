package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/sirupsen/logrus"
	v1 "k8s.io/api/core/v1"
	authorizationv1client "k8s.io/client-go/kubernetes/typed/authorization/v1"
	internalapi "k8s.io/cri-api/pkg/apis"

	"github.com/hanok-dev/hanok/internal/kubelet/stats"
)

// Provider is what the kubelet tells the server about its pods.
type Provider interface {
	Pods() []*v1.Pod                                                                  // pods this kubelet runs (/pods)
	ContainerID(namespace, pod, container string) (string, error)                     // current running/last container
	ContainerLogPath(namespace, pod, container string, previous bool) (string, error) // CRI log file
	PodSandboxID(namespace, pod string) (string, error)
}

// Config configures the kubelet server.
type Config struct {
	Addr       string          // listen address; default ":10250"
	Cert       tls.Certificate // serving certificate (server CA, the node's IPs and names)
	ClientCAs  *x509.CertPool  // client CA: verifies callers' certificates
	Authorizer authorizationv1client.SubjectAccessReviewInterface
	Runtime    internalapi.RuntimeService // cri-client: remote.NewRemoteRuntimeService(...)
	Provider   Provider
	Stats      *stats.Provider // Run starts its sampling loop
	NodeName   string
}

// DefaultAddr is the kubelet's port, as upstream.
const DefaultAddr = ":10250"

// Run serves until ctx ends. It also runs cfg.Stats's background sampling,
// so the lead starts nothing else for stats.
func Run(ctx context.Context, cfg Config) error {
	h, err := newHandler(cfg)
	if err != nil {
		return err
	}
	addr := cfg.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("kubelet server: listen on %s: %w", addr, err)
	}
	errorLog := logrus.WithField("component", "kubelet-server").WriterLevel(logrus.DebugLevel)
	srv := &http.Server{
		Handler:           h,
		TLSConfig:         tlsConfig(cfg),
		ReadHeaderTimeout: 30 * time.Second,
		// No read/write timeouts: log follows and streams last as long as
		// the client wants.
		BaseContext: func(net.Listener) context.Context { return ctx },
		// TLS handshake failures (scanners, wrong CAs) are not worth more
		// than a debug line.
		ErrorLog: log.New(errorLog, "", 0),
	}
	defer errorLog.Close()
	if cfg.Stats != nil {
		go cfg.Stats.Run(ctx)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ServeTLS(ln, "", "") }()
	logrus.WithField("component", "kubelet-server").WithField("addr", ln.Addr().String()).Info("kubelet server listening")
	select {
	case err := <-errc:
		return fmt.Errorf("kubelet server: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	srv.Close()
	return nil
}

// tlsConfig serves cfg.Cert and verifies client certificates when given
// (requests without one are answered 401 by the auth filter).
func tlsConfig(cfg Config) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{cfg.Cert},
		ClientAuth:   tls.VerifyClientCertIfGiven,
		ClientCAs:    cfg.ClientCAs,
		MinVersion:   tls.VersionTLS12,
	}
}

// server holds the handlers' shared state.
type server struct {
	cfg     Config
	log     *logrus.Entry
	metrics *serverMetrics
}

// newHandler builds the routed, authenticated and authorized handler.
func newHandler(cfg Config) (http.Handler, error) {
	switch {
	case cfg.Provider == nil:
		return nil, errors.New("kubelet server: Config.Provider is required")
	case cfg.Authorizer == nil:
		return nil, errors.New("kubelet server: Config.Authorizer is required")
	case cfg.NodeName == "":
		return nil, errors.New("kubelet server: Config.NodeName is required")
	}
	s := &server{cfg: cfg, log: logrus.WithField("component", "kubelet-server"), metrics: newServerMetrics()}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", s.healthz)
	mux.HandleFunc("GET /pods", s.pods)
	mux.HandleFunc("GET /containerLogs/{namespace}/{pod}/{container}", s.containerLogs)
	mux.Handle("/logs/", systemLogs())
	mux.HandleFunc("GET /stats/summary", s.statsSummary)
	mux.HandleFunc("GET /metrics/resource", s.resourceMetrics)
	mux.HandleFunc("GET /metrics", s.kubeletMetrics)
	if cfg.Runtime != nil {
		for _, p := range []string{"/exec/{namespace}/{pod}/{container}", "/exec/{namespace}/{pod}/{uid}/{container}"} {
			mux.HandleFunc(p, s.exec)
		}
		for _, p := range []string{"/attach/{namespace}/{pod}/{container}", "/attach/{namespace}/{pod}/{uid}/{container}"} {
			mux.HandleFunc(p, s.attach)
		}
		for _, p := range []string{"/portForward/{namespace}/{pod}", "/portForward/{namespace}/{pod}/{uid}"} {
			mux.HandleFunc(p, s.portForward)
		}
		for _, p := range []string{"POST /run/{namespace}/{pod}/{container}", "POST /run/{namespace}/{pod}/{uid}/{container}"} {
			mux.HandleFunc(p, s.run)
		}
	}
	authz := newSARAuthorizer(cfg.Authorizer, cfg.NodeName)
	return s.metrics.instrument(withAuth(authz, mux)), nil
}
