package server

import (
	"context"
	"fmt"
	"net/http"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/hanok-dev/hanok/internal/apiserver"
	"github.com/hanok-dev/hanok/internal/apiserver/admission"
	"github.com/hanok-dev/hanok/internal/apiserver/allocator"
	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/authz"
	"github.com/hanok-dev/hanok/internal/apiserver/openapi"
	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/builtin"
	"github.com/hanok-dev/hanok/internal/apiserver/storage"
	"github.com/hanok-dev/hanok/internal/etcd"
	"github.com/hanok-dev/hanok/internal/pki"
)

// buildAPIServer assembles the API server: every built-in kind on a watch
// cache over etcd, the authentication and authorization chain, OpenAPI, and
// the Service allocators.
func buildAPIServer(ctx context.Context, cfg *Config, db *etcd.Server, b *pki.Bundle) (*apiserver.Server, *openapi.Service, error) {
	resources := builtin.Resources()
	client := db.Client()
	oa, err := openapi.New(resources)
	if err != nil {
		return nil, nil, fmt.Errorf("building OpenAPI: %w", err)
	}
	ips, err := allocator.NewIPAllocator(client, cfg.ServiceCIDR)
	if err != nil {
		return nil, nil, fmt.Errorf("--service-cidr: %w", err)
	}
	ports, err := allocator.NewPortAllocator(client, 30000, 32767)
	if err != nil {
		return nil, nil, err
	}
	clientCAs := b.APIServerTLSConfig().ClientCAs
	api, err := apiserver.New(apiserver.Config{
		Resources: resources,
		StorageFor: func(res *registry.Resource, prefix string) (storage.Interface, error) {
			return storage.NewCacher(ctx, client, storage.Config{
				Prefix:        prefix + "/",
				GroupResource: schema.GroupResource{Group: res.GroupVersion.Group, Resource: res.Plural},
				Codec:         storage.DefaultCodec(res.GroupVersion),
				NewFunc:       res.New,
			})
		},
		Authenticator: authn.Union{authn.X509{Roots: clientCAs}},
		Authorizer:    authz.Union{authz.SystemMasters{}, authz.PublicInfo{}},
		Admission:     &admission.Chain{},
		OpenAPI:       http.Handler(oa),
		TypeConverter: oa.TypeConverter(),
		ServiceIPs:    ips, NodePorts: ports, ServiceCIDR: cfg.ServiceCIDR,
		AdvertiseAddress: cfg.AdvertiseAddress, Port: cfg.HTTPSPort,
		Health: map[string]func(context.Context) error{"etcd": db.Health},
	})
	return api, oa, err
}
