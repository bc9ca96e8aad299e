package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/hanok-dev/hanok/internal/pki"
)

var log = logrus.WithField("component", "server")

// Run starts the control plane and blocks until ctx is cancelled (SIGTERM,
// SIGINT), then stops it cleanly.
func Run(ctx context.Context, cfg *Config) error {
	start := time.Now()
	startProfiling()
	paths := newPaths(cfg.DataDir)
	if err := paths.create(); err != nil {
		return err
	}
	hostname, _ := os.Hostname()
	bundle, err := pki.EnsureServer(pki.Options{
		Dir: paths.tls, NodeIP: cfg.NodeIP, Hostname: hostname, ClusterDomain: cfg.ClusterDomain,
		ServiceCIDR: cfg.ServiceCIDR, SANs: append(append([]string{}, cfg.TLSSANs...), cfg.NodeName, cfg.AdvertiseAddress.String()),
	})
	if err != nil {
		return fmt.Errorf("preparing certificates in %s: %w", paths.tls, err)
	}

	db, err := startEtcd(ctx, cfg, paths, bundle)
	if err != nil {
		return err
	}
	defer db.Stop()
	// Everything started below stops (watch caches first) before etcd does.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	auditLog, closeAuditLog, err := openAuditLog(cfg.AuditLogPath)
	if err != nil {
		return err
	}
	defer closeAuditLog() // runs after the HTTP server's shutdown below
	comps := newComponents(cfg)
	api, oa, err := buildAPIServer(ctx, cfg, db, bundle, auditLog, comps.healthChecks())
	if err != nil {
		return err
	}
	token, err := ensureJoinToken(cfg, paths, bundle)
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", net.JoinHostPort(cfg.BindAddress.String(), strconv.Itoa(cfg.HTTPSPort)))
	if err != nil {
		return fmt.Errorf("listening on --https-listen-port %d: %w", cfg.HTTPSPort, err)
	}
	httpServer := &http.Server{
		Handler:           joinHandler(api, cfg, bundle, token),
		TLSConfig:         servingTLS(bundle),
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          nil,
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- httpServer.ServeTLS(listener, "", "") }()

	if err := api.Bootstrap(ctx); err != nil {
		return err
	}
	url := fmt.Sprintf("https://127.0.0.1:%d", cfg.HTTPSPort)
	if err := writeAdminKubeconfig(cfg, url, bundle); err != nil {
		return err
	}
	api.SetReady()
	componentsCtx, stopComponents := context.WithCancel(ctx)
	defer stopComponents()
	waitComponents, err := comps.start(componentsCtx, cfg, url, bundle)
	if err != nil {
		return err
	}
	waitAgent, err := startAgent(componentsCtx, cfg, url, bundle)
	if err != nil {
		return err
	}
	// kubectl's first apply fetches OpenAPI; build it now, off the start path.
	go func() {
		if err := oa.Warm(); err != nil {
			log.WithError(err).Warn("building OpenAPI documents")
		}
		// Building the documents made tens of MB of garbage; hand the
		// pages back now rather than carry them as idle RSS.
		debug.FreeOSMemory()
	}()
	log.Infof("hanok server is ready in %v: API on %s, kubeconfig %s", time.Since(start).Round(time.Millisecond),
		listener.Addr(), cfg.WriteKubeconfig)

	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-serveErr:
		return fmt.Errorf("API server stopped: %w", err)
	case err := <-db.Err():
		return fmt.Errorf("etcd stopped: %w", err)
	}
	// The components stop first (releasing their Leases through the API,
	// so a standby takes over at once), then the API server.
	stopComponents()
	waitAgent()
	waitComponents()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// Watches never end on their own; close them after the grace period.
	if err := httpServer.Shutdown(shutdownCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.WithError(err).Warn("API server shutdown")
	}
	_ = httpServer.Close()
	return nil
}

// servingTLS is the API server's TLS: its serving certificate, and client
// certificates asked for (not required: tokens and anonymous health checks
// come without one) and checked by the x509 authenticator.
func servingTLS(b *pki.Bundle) *tls.Config {
	cfg := b.APIServerTLSConfig()
	cfg.NextProtos = []string{"h2", "http/1.1"}
	return cfg
}

// writeAdminKubeconfig writes the cluster-admin kubeconfig users start with.
func writeAdminKubeconfig(cfg *Config, url string, b *pki.Bundle) error {
	mode, err := strconv.ParseUint(cfg.WriteKubeconfigMode, 8, 32)
	if err != nil {
		return fmt.Errorf("--write-kubeconfig-mode %q: not an octal file mode (like 0600)", cfg.WriteKubeconfigMode)
	}
	if err := pki.WriteKubeconfig(cfg.WriteKubeconfig, os.FileMode(mode), url, b.ServerCAPEM(), b.Admin.CertPEM, b.Admin.KeyPEM); err != nil {
		return fmt.Errorf("writing kubeconfig %s: %w", cfg.WriteKubeconfig, err)
	}
	return nil
}

// paths is the server's part of the data dir, laid out like k3s's.
type paths struct {
	root, tls, etcd, manifests, cred string
}

func newPaths(dataDir string) paths {
	srv := filepath.Join(dataDir, "server")
	return paths{
		root: srv, tls: filepath.Join(srv, "tls"), etcd: filepath.Join(srv, "db", "etcd"),
		manifests: filepath.Join(srv, "manifests"), cred: filepath.Join(srv, "cred"),
	}
}

func (p paths) create() error {
	for _, dir := range []string{p.root, p.tls, p.manifests, p.cred} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("creating %s: %w", dir, err)
		}
	}
	return nil
}
