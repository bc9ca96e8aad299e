package controlplane

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/hanok-dev/hanok/internal/apiserver"
	"github.com/hanok-dev/hanok/internal/apiserver/admission"
	"github.com/hanok-dev/hanok/internal/apiserver/allocator"
	"github.com/hanok-dev/hanok/internal/apiserver/openapi"
	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/registry/builtin"
	"github.com/hanok-dev/hanok/internal/apiserver/storage"
	"github.com/hanok-dev/hanok/internal/pki"
)

// Config is what the API server is built from. The caller owns etcd and
// the listener; the API server only uses the client.
type Config struct {
	// Etcd is the client every resource's storage uses.
	Etcd *clientv3.Client
	// ClientCAs verifies client certificates (the PKI's client CA).
	ClientCAs *x509.CertPool

	// ServiceCIDR is --service-cidr: ClusterIPs come from it and its first
	// IP is the kubernetes Service's.
	ServiceCIDR *net.IPNet
	// AdvertiseAddress and Port are what the kubernetes Service's
	// endpoints point at.
	AdvertiseAddress net.IP
	Port             int

	// Health checks by name ("etcd" at least); they feed /readyz, /livez
	// and componentstatuses.
	Health map[string]func(context.Context) error
	// Components feed componentstatuses ("scheduler",
	// "controller-manager"); see apiserver.Config.Components.
	Components map[string]func(context.Context) error

	// TuneStorage, when set, adjusts each resource's storage config before
	// its watch cache starts (tests shorten the bookmark interval or the
	// event history). nil keeps the defaults `hanok server` runs with.
	TuneStorage func(*storage.Config)

	// PKI is the server's certificates and keys: the client CA (ClientCAs
	// when that is nil), the service-account signing key, and the loopback
	// client's certificate. Required.
	PKI *pki.Bundle
	// ClusterDomain names the service-account token issuer
	// (https://kubernetes.default.svc.<domain>); default cluster.local.
	ClusterDomain string
	// BindAddress is the listener's address; the server's own loopback
	// client dials it (127.0.0.1 when nil or unspecified).
	BindAddress net.IP

	// AlwaysAllow and DisableAdmission replace the authorizer chain with
	// "allow everything" and drop admission: never for a served cluster,
	// only as the baseline benchmarks measure the pipeline against.
	AlwaysAllow      bool
	DisableAdmission bool
	// DisableAdmissionPlugins leaves the named built-in plugins out of
	// the chain, as upstream's --disable-admission-plugins (names in
	// plugins.Plugins).
	DisableAdmissionPlugins []string

	// AuditLog is --audit-log-path's writer (apiserver.Config.AuditLog); nil: no audit.
	AuditLog io.Writer

	// KubeletClientTLS is how the API server dials kubelets (logs, exec,
	// port-forward, node proxy, metrics): nil means
	// PKI.KubeletClientTLSConfig(), a system:kube-apiserver client
	// certificate that trusts kubelet serving certificates from the
	// server CA (pki.Bundle.IssueKubeletServing).
	KubeletClientTLS *tls.Config
	// MetricsTTL is how long metrics.k8s.io serves a node's summary before
	// asking its kubelet again; 0 means metricsapi.DefaultTTL (15s).
	MetricsTTL time.Duration
}

// NewAPIServer builds the API server on cfg. Its watch caches run until ctx
// ends; the returned OpenAPI service is the one the server serves (callers
// may Warm it off the start path).
func NewAPIServer(ctx context.Context, cfg Config) (*apiserver.Server, *openapi.Service, error) {
	auth, err := newAuth(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	resources := withReviews(builtin.Resources(), auth)
	oa, err := openapi.New(resources)
	if err != nil {
		return nil, nil, fmt.Errorf("building OpenAPI: %w", err)
	}
	ips, err := allocator.NewIPAllocator(cfg.Etcd, cfg.ServiceCIDR)
	if err != nil {
		return nil, nil, fmt.Errorf("--service-cidr: %w", err)
	}
	ports, err := allocator.NewPortAllocator(cfg.Etcd, 30000, 32767)
	if err != nil {
		return nil, nil, err
	}
	var liveNamespace func(ctx context.Context, name string) (*corev1.Namespace, error)
	var chain *admission.Chain
	if !cfg.DisableAdmission {
		chain = newAdmission(auth, cfg.DisableAdmissionPlugins, &liveNamespace)
	}
	apiCfg := apiserver.Config{
		Resources: resources,
		StorageFor: func(res *registry.Resource, prefix string) (storage.Interface, error) {
			sc := storage.Config{
				Prefix:        prefix + "/",
				GroupResource: schema.GroupResource{Group: res.GroupVersion.Group, Resource: res.Plural},
				Codec:         storage.DefaultCodec(res.GroupVersion),
				NewFunc:       res.New,
			}
			if cfg.TuneStorage != nil {
				cfg.TuneStorage(&sc)
			}
			return storage.NewCacher(ctx, cfg.Etcd, sc)
		},
		Authenticator: auth.authenticator,
		Authorizer:    auth.authorizer,
		Admission:     chain,
		OpenAPI:       http.Handler(oa),
		TypeConverter: oa.TypeConverter(),
		ServiceIPs:    ips, NodePorts: ports, ServiceCIDR: cfg.ServiceCIDR,
		AdvertiseAddress: cfg.AdvertiseAddress, Port: cfg.Port,
		Health:     cfg.Health,
		Components: cfg.Components,
		AuditLog:   cfg.AuditLog,
	}
	api, err := apiserver.New(apiCfg)
	if err != nil {
		return nil, nil, err
	}
	liveNamespace = func(ctx context.Context, name string) (*corev1.Namespace, error) {
		return api.Namespace(ctx, name, true)
	}
	auth.install(api)
	if err := installKubeletAPIs(ctx, api, cfg, auth); err != nil {
		return nil, nil, err
	}
	return api, oa, nil
}
