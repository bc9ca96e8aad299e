package rootcacert

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/controller"
)

// Controller publishes the root CA into every namespace.
type Controller struct {
	client     kubernetes.Interface
	ca         []byte
	namespaces corelisters.NamespaceLister
	configMaps corelisters.ConfigMapLister
	synced     []cache.InformerSynced
	loop       *controller.Loop
}

// New builds the controller on cc's informers; ca is the PEM bundle to
// publish.
func New(cc controller.Context, ca []byte) (*Controller, error) {
	if len(ca) == 0 {
		return nil, fmt.Errorf("root-ca-cert-publisher: no CA to publish")
	}
	nsInformer := cc.Informers.Core().V1().Namespaces()
	cmInformer := cc.Informers.Core().V1().ConfigMaps()
	c := &Controller{
		client:     cc.Client,
		ca:         ca,
		namespaces: nsInformer.Lister(),
		configMaps: cmInformer.Lister(),
		synced:     []cache.InformerSynced{nsInformer.Informer().HasSynced, cmInformer.Informer().HasSynced},
	}
	c.loop = controller.NewLoop("root-ca-cert-publisher", c.sync)
	_, _ = nsInformer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    c.loop.Add,
		UpdateFunc: func(_, obj any) { c.loop.Add(obj) },
	})
	_, _ = cmInformer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		UpdateFunc: func(_, obj any) { c.configMapChanged(obj) },
		DeleteFunc: c.configMapChanged,
	})
	return c, nil
}

// Run implements controller.Controller.
func (c *Controller) Run(ctx context.Context, workers int) {
	c.loop.Run(ctx, workers, c.synced...)
}

func (c *Controller) configMapChanged(obj any) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	if cm, ok := obj.(*corev1.ConfigMap); ok && cm.Name == ConfigMapName {
		c.loop.Queue.Add(cm.Namespace)
	}
}

// sync makes kube-root-ca.crt in namespace key right.
func (c *Controller) sync(ctx context.Context, key string) error {
	ns, err := c.namespaces.Get(key)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if !active(ns) {
		return nil
	}
	current, err := c.configMaps.ConfigMaps(key).Get(ConfigMapName)
	if apierrors.IsNotFound(err) {
		current, err = nil, nil
	}
	if err != nil {
		return err
	}
	create, update := desired(current, c.ca)
	switch {
	case create != nil:
		// AlreadyExists: the cache is behind (or someone else made one);
		// the error retries once the cache shows it, to check its content.
		_, err = c.client.CoreV1().ConfigMaps(key).Create(ctx, create, metav1.CreateOptions{})
	case update != nil:
		_, err = c.client.CoreV1().ConfigMaps(key).Update(ctx, update, metav1.UpdateOptions{})
	}
	if apierrors.IsNotFound(err) || apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
		return nil // the namespace went or is going
	}
	return err
}
