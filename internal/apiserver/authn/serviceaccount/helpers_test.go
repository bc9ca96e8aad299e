package serviceaccount

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

const testIssuer = "https://kubernetes.default.svc.cluster.local"

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// objects is a Getter over maps, so a test can delete or replace what a
// token is bound to.
type objects struct {
	serviceAccounts map[string]*corev1.ServiceAccount
	pods            map[string]*corev1.Pod
	secrets         map[string]*corev1.Secret
	nodes           map[string]*corev1.Node
	err             error
}

func (o *objects) GetServiceAccount(ns, name string) (*corev1.ServiceAccount, error) {
	if o.err != nil {
		return nil, o.err
	}
	if v, ok := o.serviceAccounts[ns+"/"+name]; ok {
		return v, nil
	}
	return nil, apierrors.NewNotFound(corev1.Resource("serviceaccount"), name)
}

func (o *objects) GetPod(ns, name string) (*corev1.Pod, error) {
	if v, ok := o.pods[ns+"/"+name]; ok {
		return v, nil
	}
	return nil, apierrors.NewNotFound(corev1.Resource("pod"), name)
}

func (o *objects) GetSecret(ns, name string) (*corev1.Secret, error) {
	if v, ok := o.secrets[ns+"/"+name]; ok {
		return v, nil
	}
	return nil, apierrors.NewNotFound(corev1.Resource("secret"), name)
}

func (o *objects) GetNode(name string) (*corev1.Node, error) {
	if v, ok := o.nodes[name]; ok {
		return v, nil
	}
	return nil, apierrors.NewNotFound(corev1.Resource("node"), name)
}

func meta(ns, name, uid string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(uid)}
}

func world() *objects {
	return &objects{
		serviceAccounts: map[string]*corev1.ServiceAccount{"ns/builder": {ObjectMeta: meta("ns", "builder", "sa-uid")}},
		pods:            map[string]*corev1.Pod{"ns/web": {ObjectMeta: meta("ns", "web", "pod-uid")}},
		secrets:         map[string]*corev1.Secret{"ns/builder-token": {ObjectMeta: meta("ns", "builder-token", "secret-uid")}},
		nodes:           map[string]*corev1.Node{"n1": {ObjectMeta: meta("", "n1", "node-uid")}},
	}
}
