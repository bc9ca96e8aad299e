package serviceaccount

import (
	corev1 "k8s.io/api/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
)

// Getter finds the objects a token is bound to. Not-found must be an
// apierrors NotFound error (or a nil object); any other error fails the
// request without saying the token is bad.
type Getter interface {
	GetServiceAccount(namespace, name string) (*corev1.ServiceAccount, error)
	GetPod(namespace, name string) (*corev1.Pod, error)
	GetSecret(namespace, name string) (*corev1.Secret, error)
	GetNode(name string) (*corev1.Node, error)
}

// ListerGetter answers from informer listers.
func ListerGetter(serviceAccounts corelisters.ServiceAccountLister, pods corelisters.PodLister,
	secrets corelisters.SecretLister, nodes corelisters.NodeLister) Getter {
	return listerGetter{serviceAccounts, pods, secrets, nodes}
}

type listerGetter struct {
	serviceAccounts corelisters.ServiceAccountLister
	pods            corelisters.PodLister
	secrets         corelisters.SecretLister
	nodes           corelisters.NodeLister
}

func (g listerGetter) GetServiceAccount(namespace, name string) (*corev1.ServiceAccount, error) {
	return g.serviceAccounts.ServiceAccounts(namespace).Get(name)
}

func (g listerGetter) GetPod(namespace, name string) (*corev1.Pod, error) {
	return g.pods.Pods(namespace).Get(name)
}

func (g listerGetter) GetSecret(namespace, name string) (*corev1.Secret, error) {
	return g.secrets.Secrets(namespace).Get(name)
}

func (g listerGetter) GetNode(name string) (*corev1.Node, error) {
	return g.nodes.Get(name)
}
