package server

import (
	"context"
	"io"

	"github.com/hanok-dev/hanok/internal/apiserver"
	"github.com/hanok-dev/hanok/internal/apiserver/openapi"
	"github.com/hanok-dev/hanok/internal/controlplane"
	"github.com/hanok-dev/hanok/internal/etcd"
	"github.com/hanok-dev/hanok/internal/pki"
)

// buildAPIServer assembles the API server on this process's etcd and PKI;
// controlplane does the assembly, which the test server shares.
func buildAPIServer(ctx context.Context, cfg *Config, db *etcd.Server, b *pki.Bundle, auditLog io.Writer, components map[string]func(context.Context) error) (*apiserver.Server, *openapi.Service, error) {
	return controlplane.NewAPIServer(ctx, controlplane.Config{
		Etcd:             db.Client(),
		ClientCAs:        b.APIServerTLSConfig().ClientCAs,
		ServiceCIDR:      cfg.ServiceCIDR,
		AdvertiseAddress: cfg.AdvertiseAddress,
		Port:             cfg.HTTPSPort,
		Health:           map[string]func(context.Context) error{"etcd": db.Health},
		Components:       components,
		PKI:              b,
		ClusterDomain:    cfg.ClusterDomain,
		BindAddress:      cfg.BindAddress,
		AuditLog:         auditLog,
	})
}
