package plugins

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

// immortalNamespaces may never be deleted: every cluster relies on them.
var immortalNamespaces = []string{metav1.NamespaceDefault, metav1.NamespaceSystem, metav1.NamespacePublic}

// NewNamespaceLifecycle builds upstream's NamespaceLifecycle (the plugin
// itself is admission.NamespaceLifecycle) over a lister and a live client.
func NewNamespaceLifecycle(namespaces corelisters.NamespaceLister, client corev1client.NamespacesGetter) *admission.NamespaceLifecycle {
	return &admission.NamespaceLifecycle{
		Immortal:  append([]string(nil), immortalNamespaces...),
		Namespace: NamespaceLookup(namespaces, client),
	}
}

// NamespaceLookup reads a namespace from the lister, and from the API
// server when the lister does not have it (a namespace created a moment
// ago may not have reached the informer: refusing a create in it with 404
// would be wrong) or when live is asked for (a namespace deleted a moment
// ago may still look Active in the cache). Either source may be nil.
func NamespaceLookup(namespaces corelisters.NamespaceLister, client corev1client.NamespacesGetter) func(ctx context.Context, name string, live bool) (*corev1.Namespace, error) {
	return func(ctx context.Context, name string, live bool) (*corev1.Namespace, error) {
		if namespaces != nil && (!live || client == nil) {
			ns, err := namespaces.Get(name)
			if err == nil || !apierrors.IsNotFound(err) || client == nil {
				return ns, err
			}
		}
		if client == nil {
			return nil, apierrors.NewNotFound(corev1.Resource("namespaces"), name)
		}
		return client.Namespaces().Get(ctx, name, metav1.GetOptions{})
	}
}
