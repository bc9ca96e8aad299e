package serviceaccount

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/controller"
)

// Controller keeps the Ensured accounts in every active namespace.
type Controller struct {
	client     kubernetes.Interface
	namespaces corelisters.NamespaceLister
	accounts   corelisters.ServiceAccountLister
	synced     []cache.InformerSynced
	loop       *controller.Loop
}

// New builds the controller on cc's informers.
func New(cc controller.Context) *Controller {
	nsInformer := cc.Informers.Core().V1().Namespaces()
	saInformer := cc.Informers.Core().V1().ServiceAccounts()
	c := &Controller{
		client:     cc.Client,
		namespaces: nsInformer.Lister(),
		accounts:   saInformer.Lister(),
		synced:     []cache.InformerSynced{nsInformer.Informer().HasSynced, saInformer.Informer().HasSynced},
	}
	c.loop = controller.NewLoop("serviceaccount-controller", c.sync)
	_, _ = nsInformer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    c.loop.Add,
		UpdateFunc: func(_, obj any) { c.loop.Add(obj) },
	})
	_, _ = saInformer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		DeleteFunc: c.accountDeleted,
	})
	return c
}

// Run implements controller.Controller.
func (c *Controller) Run(ctx context.Context, workers int) {
	c.loop.Run(ctx, workers, c.synced...)
}

// accountDeleted enqueues the namespace of a deleted account we ensure.
func (c *Controller) accountDeleted(obj any) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	sa, ok := obj.(*corev1.ServiceAccount)
	if !ok {
		return
	}
	for _, name := range Ensured {
		if sa.Name == name {
			c.loop.Queue.Add(sa.Namespace)
		}
	}
}

// sync creates what is missing in namespace key.
func (c *Controller) sync(ctx context.Context, key string) error {
	ns, err := c.namespaces.Get(key)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	exists := func(name string) bool {
		_, err := c.accounts.ServiceAccounts(key).Get(name)
		return err == nil
	}
	for _, name := range missing(ns, exists) {
		sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}
		_, err := c.client.CoreV1().ServiceAccounts(key).Create(ctx, sa, metav1.CreateOptions{})
		switch {
		case err == nil, apierrors.IsAlreadyExists(err):
		case apierrors.IsNotFound(err), apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause):
			// The namespace went or is going: nothing to keep.
			return nil
		default:
			return err
		}
	}
	return nil
}
