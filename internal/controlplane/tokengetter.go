package controlplane

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/hanok-dev/hanok/internal/apiserver/authn/serviceaccount"
)

// liveLookupTimeout bounds a token check's fallback read.
const liveLookupTimeout = 5 * time.Second

// tokenGetter finds what service-account tokens are bound to: in the
// informers first, then, when they do not have it, from the server itself.
// This is upstream's NewGetterFromClient: a token issued for an account
// created a moment ago must work at once, before the informer has seen the
// account, and a token whose account is really gone is still refused, as
// the live read answers 404 too.
type tokenGetter struct {
	cache  serviceaccount.Getter
	client kubernetes.Interface
}

func newTokenGetter(d *authData, client kubernetes.Interface) tokenGetter {
	return tokenGetter{cache: serviceaccount.ListerGetter(d.serviceAccounts, d.pods, d.secrets, d.nodes), client: client}
}

func liveContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), liveLookupTimeout)
}

func (g tokenGetter) GetServiceAccount(namespace, name string) (*corev1.ServiceAccount, error) {
	if sa, err := g.cache.GetServiceAccount(namespace, name); err == nil {
		return sa, nil
	}
	ctx, cancel := liveContext()
	defer cancel()
	return g.client.CoreV1().ServiceAccounts(namespace).Get(ctx, name, metav1.GetOptions{})
}

func (g tokenGetter) GetPod(namespace, name string) (*corev1.Pod, error) {
	if pod, err := g.cache.GetPod(namespace, name); err == nil {
		return pod, nil
	}
	ctx, cancel := liveContext()
	defer cancel()
	return g.client.CoreV1().Pods(namespace).Get(ctx, name, metav1.GetOptions{})
}

func (g tokenGetter) GetSecret(namespace, name string) (*corev1.Secret, error) {
	if s, err := g.cache.GetSecret(namespace, name); err == nil {
		return s, nil
	}
	ctx, cancel := liveContext()
	defer cancel()
	return g.client.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
}

func (g tokenGetter) GetNode(name string) (*corev1.Node, error) {
	if n, err := g.cache.GetNode(name); err == nil {
		return n, nil
	}
	ctx, cancel := liveContext()
	defer cancel()
	return g.client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
}
