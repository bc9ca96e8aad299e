package webhook

import (
	"context"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	admissionregistrationlisters "k8s.io/client-go/listers/admissionregistration/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
)

// Deps are what the plugins read. Each field is a subset of a client-go
// lister, so an informer's lister plugs in as it is (see the package doc).
type Deps struct {
	// MutatingConfigs is read by the mutating plugin, ValidatingConfigs by
	// the validating one.
	MutatingConfigs   MutatingConfigLister
	ValidatingConfigs ValidatingConfigLister
	// Namespaces gives the labels namespaceSelector matches. Needed as soon
	// as a webhook has a non-empty namespaceSelector.
	Namespaces NamespaceGetter
	// LiveNamespace, when set, reads a namespace from storage when
	// Namespaces does not know it: an informer lags a namespace created a
	// moment ago, and a write into it must not fail with a 404 for that.
	// apiserver.Server.Namespace with live=true fits.
	LiveNamespace func(ctx context.Context, name string) (*corev1.Namespace, error)
	// Services and Endpoints resolve clientConfig.service references;
	// webhooks called by URL need neither.
	Services  ServiceGetter
	Endpoints EndpointsGetter
	// HasSynced, when set, tells whether the listers are filled; see
	// AllSynced.
	HasSynced func() bool
}

// MutatingConfigLister lists MutatingWebhookConfigurations.
type MutatingConfigLister interface {
	List(selector labels.Selector) ([]*admissionregistrationv1.MutatingWebhookConfiguration, error)
}

// ValidatingConfigLister lists ValidatingWebhookConfigurations.
type ValidatingConfigLister interface {
	List(selector labels.Selector) ([]*admissionregistrationv1.ValidatingWebhookConfiguration, error)
}

// NamespaceGetter finds a namespace; a NotFound error when there is none.
type NamespaceGetter interface {
	Get(name string) (*corev1.Namespace, error)
}

// ServiceGetter finds Services.
type ServiceGetter interface {
	Services(namespace string) corelisters.ServiceNamespaceLister
}

// EndpointsGetter finds Endpoints.
type EndpointsGetter interface {
	Endpoints(namespace string) corelisters.EndpointsNamespaceLister
}

// The client-go listers are the intended implementations: keep them
// assignable so wiring stays a one-liner.
var (
	_ MutatingConfigLister   = admissionregistrationlisters.MutatingWebhookConfigurationLister(nil)
	_ ValidatingConfigLister = admissionregistrationlisters.ValidatingWebhookConfigurationLister(nil)
	_ NamespaceGetter        = corelisters.NamespaceLister(nil)
	_ ServiceGetter          = corelisters.ServiceLister(nil)
	_ EndpointsGetter        = corelisters.EndpointsLister(nil)
)

// AllSynced is a Deps.HasSynced reporting true once every informer has
// synced (pass each informer's HasSynced).
func AllSynced(synced ...cache.InformerSynced) func() bool {
	return func() bool {
		for _, s := range synced {
			if !s() {
				return false
			}
		}
		return true
	}
}
