package apiserver

import (
	"context"
	"io"
	"net"
	"net/http"

	"k8s.io/apimachinery/pkg/util/managedfields"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
	"github.com/hanok-dev/hanok/internal/apiserver/allocator"
	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/authz"
	"github.com/hanok-dev/hanok/internal/apiserver/registry"
	"github.com/hanok-dev/hanok/internal/apiserver/storage"
)

// Config is everything the API server needs; the server package fills it.
type Config struct {
	// Resources are the kinds served; see registry.Resource.
	Resources []*registry.Resource
	// StorageFor opens the store behind one resource at an etcd key prefix.
	StorageFor func(res *registry.Resource, prefix string) (storage.Interface, error)

	Authenticator authn.Authenticator
	Authorizer    authz.Authorizer
	Admission     *admission.Chain

	// OpenAPI serves /openapi/v2 and /openapi/v3; TypeConverter (from the
	// same definitions) drives server-side apply and managedFields.
	OpenAPI       http.Handler
	TypeConverter managedfields.TypeConverter

	// ServiceIPs and NodePorts allocate Service addresses; ServiceCIDR's
	// first IP is the kubernetes Service's.
	ServiceIPs  allocator.Allocator
	NodePorts   allocator.Allocator
	ServiceCIDR *net.IPNet

	// AdvertiseAddress and Port are what the kubernetes Service's
	// endpoints point at.
	AdvertiseAddress net.IP
	Port             int

	// AuditLog, when set, receives one audit.k8s.io/v1 Event (Metadata
	// level) per request as a JSON line: who, verb, resource, code. Lines
	// are written whole, one at a time; OpenAuditLog gives a buffered file.
	AuditLog io.Writer

	// Health checks by name ("etcd"); they feed /readyz, /livez and
	// componentstatuses.
	Health map[string]func(ctx context.Context) error
	// Components are the health of the clients of this server that
	// componentstatuses reports ("scheduler", "controller-manager"). They
	// are not part of /readyz: the API server serves whether or not they
	// run, and they need it serving to start.
	Components map[string]func(ctx context.Context) error
}
