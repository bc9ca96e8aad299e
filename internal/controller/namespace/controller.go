package namespace

import (
	"context"
	"fmt"

	"github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/retry"

	"github.com/hanok-dev/hanok/internal/controller"
)

// Controller empties and finalizes namespaces being deleted.
type Controller struct {
	client     kubernetes.Interface
	metadata   metadata.Interface
	namespaces corelisters.NamespaceLister
	synced     cache.InformerSynced
	loop       *controller.Loop
	log        *logrus.Entry
}

// New builds the controller on cc's informers; content is deleted through
// a metadata client made from cc.RESTConfig.
func New(cc controller.Context) (*Controller, error) {
	if cc.RESTConfig == nil {
		return nil, fmt.Errorf("namespace controller: the Context has no RESTConfig")
	}
	mc, err := metadata.NewForConfig(cc.RESTConfig)
	if err != nil {
		return nil, fmt.Errorf("namespace controller: %w", err)
	}
	informer := cc.Informers.Core().V1().Namespaces()
	c := &Controller{
		client:     cc.Client,
		metadata:   mc,
		namespaces: informer.Lister(),
		synced:     informer.Informer().HasSynced,
		log:        logrus.WithField("component", "namespace-controller"),
	}
	c.loop = controller.NewLoop("namespace-controller", c.sync)
	enqueue := func(obj any) {
		if ns, ok := obj.(*corev1.Namespace); ok && ns.DeletionTimestamp != nil {
			c.loop.Add(ns)
		}
	}
	_, _ = informer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, obj any) { enqueue(obj) },
	})
	return c, nil
}

// Run implements controller.Controller.
func (c *Controller) Run(ctx context.Context, workers int) {
	c.loop.Run(ctx, workers, c.synced)
}

// sync does one pass over the namespace named key: delete its content,
// report, and finalize once nothing is left. Content still going is looked
// at again after its estimate.
func (c *Controller) sync(ctx context.Context, key string) error {
	cached, err := c.namespaces.Get(key)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if !ours(cached) {
		return nil
	}
	// Live: the cache may be behind a finalize we already did.
	ns, err := c.client.CoreV1().Namespaces().Get(ctx, key, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if !ours(ns) {
		return nil
	}
	r := newResult()
	for _, res := range discover(c.client.Discovery(), r) {
		deleteContent(ctx, c.metadata, key, res, r)
	}
	if err := c.report(ctx, ns, r); err != nil {
		return err
	}
	if !r.done() {
		if r.discoveryErr != nil || len(r.parseErrs) > 0 || len(r.deleteErrs) > 0 {
			return fmt.Errorf("namespace %s: content not all deleted: %v %v %v", key, r.discoveryErr, r.parseErrs, r.deleteErrs)
		}
		c.log.WithField("namespace", key).Debugf("content remaining: %v", r.remaining)
		c.loop.Queue.AddAfter(key, requeueAfter(r.estimate))
		return nil
	}
	return c.finalize(ctx, key)
}

// report writes the deletion conditions when they changed.
func (c *Controller) report(ctx context.Context, ns *corev1.Namespace, r *result) error {
	conds := r.conditions()
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		status, changed := withConditions(ns, conds, metav1.Now())
		if !changed {
			return nil
		}
		updated := ns.DeepCopy()
		updated.Status = status
		_, err := c.client.CoreV1().Namespaces().UpdateStatus(ctx, updated, metav1.UpdateOptions{})
		if apierrors.IsConflict(err) {
			if fresh, getErr := c.client.CoreV1().Namespaces().Get(ctx, ns.Name, metav1.GetOptions{}); getErr == nil {
				ns = fresh
			}
		}
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	})
}

// finalize removes our finalizer; the API server then removes the
// namespace once no other finalizer is left.
func (c *Controller) finalize(ctx context.Context, name string) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		ns, err := c.client.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if !ours(ns) {
			return nil
		}
		ns.Spec.Finalizers = withoutFinalizer(ns.Spec.Finalizers)
		_, err = c.client.CoreV1().Namespaces().Finalize(ctx, ns, metav1.UpdateOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err == nil {
			c.log.WithField("namespace", name).Debug("finalized")
		}
		return err
	})
}
