package node

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/apiserver/authn"
	"github.com/hanok-dev/hanok/internal/apiserver/authz"
)

func nodeUser(name string) *authn.User {
	return &authn.User{Name: NodeUserPrefix + name, Groups: []string{NodesGroup, authn.AllAuthenticated}}
}

func pod(ns, name, node string, mutate ...func(*corev1.PodSpec)) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       corev1.PodSpec{NodeName: node, ServiceAccountName: "default", Containers: []corev1.Container{{Name: "c"}}},
	}
	for _, m := range mutate {
		m(&p.Spec)
	}
	return p
}

func vol(name string, src corev1.VolumeSource) func(*corev1.PodSpec) {
	return func(s *corev1.PodSpec) { s.Volumes = append(s.Volumes, corev1.Volume{Name: name, VolumeSource: src}) }
}

func env(e corev1.EnvVar) func(*corev1.PodSpec) {
	return func(s *corev1.PodSpec) { s.Containers[0].Env = append(s.Containers[0].Env, e) }
}

func secretKey(name string) corev1.EnvVar {
	return corev1.EnvVar{Name: "X", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: "k"}}}
}

// stores are informer stores the tests fill.
type stores struct {
	pods, pvcs, pvs cache.Indexer
}

func newStores(t testing.TB, objs ...any) *stores {
	t.Helper()
	s := &stores{
		pods: cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{NodeNameIndex: IndexByNodeName}),
		pvcs: cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc}),
		pvs:  cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{}),
	}
	for _, o := range objs {
		var err error
		switch o.(type) {
		case *corev1.Pod:
			err = s.pods.Add(o)
		case *corev1.PersistentVolumeClaim:
			err = s.pvcs.Add(o)
		case *corev1.PersistentVolume:
			err = s.pvs.Add(o)
		default:
			err = fmt.Errorf("unexpected %T", o)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func (s *stores) authorizer() *Authorizer {
	return New(PodIndexer{Indexer: s.pods}, corelisters.NewPersistentVolumeClaimLister(s.pvcs), corelisters.NewPersistentVolumeLister(s.pvs), nil)
}

func res(verb, group, resource, sub, ns, name string) authz.Attributes {
	return authz.Attributes{ResourceRequest: true, Verb: verb, APIGroup: group, Resource: resource, Subresource: sub, Namespace: ns, Name: name}
}
