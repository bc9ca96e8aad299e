package etcd

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// dialTimeout bounds each connection attempt of the shared client.
const dialTimeout = 5 * time.Second

// newClient dials ClientURL with the client certificate and proves the
// connection with one request, so a wrong certificate fails Start with a
// clear message instead of the API server's first request. It is a real
// network client (not etcd's in-process adapter): the storage layer then
// behaves exactly as it would against a remote etcd.
func newClient(ctx context.Context, cfg Config, lg *zap.Logger) (*clientv3.Client, error) {
	tlsCfg, err := clientTLS(cfg)
	if err != nil {
		return nil, fmt.Errorf("etcd: client TLS: %w", err)
	}
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   []string{cfg.ClientURL},
		TLS:         tlsCfg,
		DialTimeout: dialTimeout,
		// The member's logger: same level and output, so the client is as
		// quiet as the server.
		Logger:  lg.Named("client"),
		Context: context.WithoutCancel(ctx),
	})
	if err != nil {
		return nil, fmt.Errorf("etcd: create client for %s: %w", cfg.ClientURL, err)
	}
	probe, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	if _, err := cli.Get(probe, healthKey); err != nil {
		cli.Close()
		return nil, fmt.Errorf("etcd: first request to %s failed (check ClientTLS against ServerTLS.CAFile): %w", cfg.ClientURL, err)
	}
	return cli, nil
}

// clientTLS is nil for an http ClientURL, otherwise the client cert and the
// CA that signed etcd's serving cert.
func clientTLS(cfg Config) (*tls.Config, error) {
	if !strings.HasPrefix(cfg.ClientURL, "https://") {
		return nil, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.ClientTLS.CertFile != "" {
		pair, err := tls.LoadX509KeyPair(cfg.ClientTLS.CertFile, cfg.ClientTLS.KeyFile)
		if err != nil {
			return nil, err
		}
		tc.Certificates = []tls.Certificate{pair}
	}
	if cfg.ClientTLS.CAFile != "" {
		caPEM, err := os.ReadFile(cfg.ClientTLS.CAFile)
		if err != nil {
			return nil, err
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(caPEM) {
			return nil, errors.New("no certificates in " + cfg.ClientTLS.CAFile)
		}
	}
	return tc, nil
}
