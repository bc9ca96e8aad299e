package clusterdns

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	discoverylisters "k8s.io/client-go/listers/discovery/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"

	"github.com/hanok-dev/hanok/internal/controller"
)

// Name is the controller's name in logs and its work queue.
const Name = "cluster-dns-controller"

// Options are what the controller keeps.
type Options struct {
	// ClusterDNS is the Service's ClusterIP (--cluster-dns); required.
	ClusterDNS net.IP
	// Namespace and Service name the Service (default kube-system,
	// kube-dns).
	Namespace, Service string
}

// Controller keeps the kube-dns Service and its node EndpointSlice.
type Controller struct {
	client   kubernetes.Interface
	opts     Options
	key      string
	services corelisters.ServiceLister
	slices   discoverylisters.EndpointSliceLister
	nodes    corelisters.NodeLister
	synced   []cache.InformerSynced
	recorder record.EventRecorder
	loop     *controller.Loop
	log      *logrus.Entry
	// foreign is the resourceVersion of a Service not ours that was last
	// reported, so that its error is logged once, not on every sync.
	foreign string
}

// New builds the controller from cc's informers and client.
func New(cc controller.Context, opts Options) (*Controller, error) {
	if opts.ClusterDNS == nil {
		return nil, fmt.Errorf("%s: no cluster DNS address", Name)
	}
	if opts.Namespace == "" {
		opts.Namespace = metav1.NamespaceSystem
	}
	if opts.Service == "" {
		opts.Service = "kube-dns"
	}
	svcInformer := cc.Informers.Core().V1().Services()
	sliceInformer := cc.Informers.Discovery().V1().EndpointSlices()
	nodeInformer := cc.Informers.Core().V1().Nodes()
	c := &Controller{
		client:   cc.Client,
		opts:     opts,
		key:      opts.Namespace + "/" + opts.Service,
		services: svcInformer.Lister(),
		slices:   sliceInformer.Lister(),
		nodes:    nodeInformer.Lister(),
		synced: []cache.InformerSynced{svcInformer.Informer().HasSynced, sliceInformer.Informer().HasSynced,
			nodeInformer.Informer().HasSynced},
		recorder: cc.Recorder,
		log:      logrus.WithField("component", Name),
	}
	c.loop = controller.NewLoop(Name, c.sync)
	enqueue := func(any) { c.loop.Queue.Add(c.key) }
	mine := func(obj any) bool {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		switch o := obj.(type) {
		case *corev1.Service:
			return o.Namespace == opts.Namespace && o.Name == opts.Service
		case *discoveryv1.EndpointSlice:
			return o.Namespace == opts.Namespace && o.Labels[discoveryv1.LabelServiceName] == opts.Service
		}
		return false
	}
	own := cache.FilteringResourceEventHandler{FilterFunc: mine, Handler: cache.ResourceEventHandlerFuncs{
		AddFunc: enqueue, UpdateFunc: func(_, o any) { enqueue(o) }, DeleteFunc: enqueue,
	}}
	if _, err := svcInformer.Informer().AddEventHandler(own); err != nil {
		return nil, err
	}
	if _, err := sliceInformer.Informer().AddEventHandler(own); err != nil {
		return nil, err
	}
	if _, err := nodeInformer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: enqueue,
		UpdateFunc: func(old, cur any) {
			if nodeChanged(old.(*corev1.Node), cur.(*corev1.Node)) {
				enqueue(cur)
			}
		},
		DeleteFunc: enqueue,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// Run implements controller.Controller. The one key is queued at start,
// so the Service is made even in an empty cluster.
func (c *Controller) Run(ctx context.Context, workers int) {
	c.loop.Queue.Add(c.key)
	c.loop.Run(ctx, workers, c.synced...)
}

func (c *Controller) sync(ctx context.Context, key string) error {
	if key != c.key {
		return nil
	}
	ns, name, _ := strings.Cut(key, "/")
	svc, err := c.services.Services(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return c.createService(ctx)
	}
	if err != nil {
		return err
	}
	if svc.DeletionTimestamp != nil {
		return nil // made again once it is gone
	}
	if !ours(svc, c.opts.ClusterDNS) {
		if svc.ResourceVersion != c.foreign {
			c.foreign = svc.ResourceVersion
			c.log.Errorf("Service %s has ClusterIP %s and selector %v, not the cluster DNS address %s without selector: leaving it alone; cluster DNS is not served through it",
				key, svc.Spec.ClusterIP, svc.Spec.Selector, c.opts.ClusterDNS)
			c.recorder.Eventf(svc, corev1.EventTypeWarning, "ClusterDNSMismatch",
				"not at the cluster DNS address %s (or has a selector): left alone", c.opts.ClusterDNS)
		}
		return c.syncSlices(ctx, nil)
	}
	if u := updatedService(svc, c.opts.ClusterDNS); u != nil {
		if svc, err = c.client.CoreV1().Services(ns).Update(ctx, u, metav1.UpdateOptions{}); err != nil {
			return err
		}
		c.log.Infof("updated Service %s", key)
	}
	nodes, err := c.nodes.List(labels.Everything())
	if err != nil {
		return err
	}
	return c.syncSlices(ctx, desiredSlice(svc, nodes))
}

func (c *Controller) createService(ctx context.Context) error {
	want := desiredService(c.opts.Namespace, c.opts.Service, c.opts.ClusterDNS)
	_, err := c.client.CoreV1().Services(want.Namespace).Create(ctx, want, metav1.CreateOptions{})
	switch {
	case apierrors.IsAlreadyExists(err):
		return nil // the informer brings it
	case err != nil:
		// Most likely the address is taken by another Service, or is
		// outside the service CIDR: retried with back-off.
		c.log.WithError(err).Errorf("creating Service %s/%s at %s", want.Namespace, want.Name, c.opts.ClusterDNS)
		return err
	}
	c.log.Infof("created Service %s/%s at %s", want.Namespace, want.Name, c.opts.ClusterDNS)
	return nil
}

// syncSlices makes the service's slices managed by us exactly want (nil:
// none).
func (c *Controller) syncSlices(ctx context.Context, want *discoveryv1.EndpointSlice) error {
	have, err := c.slices.EndpointSlices(c.opts.Namespace).List(labels.SelectorFromSet(labels.Set{
		discoveryv1.LabelServiceName: c.opts.Service,
		discoveryv1.LabelManagedBy:   ManagedBy,
	}))
	if err != nil {
		return err
	}
	api := c.client.DiscoveryV1().EndpointSlices(c.opts.Namespace)
	found := false
	for _, sl := range have {
		if want != nil && sl.Name == want.Name {
			found = true
			if sameSlice(sl, want) {
				continue
			}
			u := sl.DeepCopy()
			u.Labels, u.OwnerReferences = want.Labels, want.OwnerReferences
			u.AddressType, u.Endpoints, u.Ports = want.AddressType, want.Endpoints, want.Ports
			if u.AddressType != sl.AddressType { // immutable: replace it
				if err := api.Delete(ctx, sl.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
					return err
				}
				found = false
				continue
			}
			if _, err := api.Update(ctx, u, metav1.UpdateOptions{}); err != nil {
				return err
			}
			c.log.Debugf("EndpointSlice %s: %d nodes", sl.Name, len(want.Endpoints))
			continue
		}
		if err := api.Delete(ctx, sl.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	if want == nil || found {
		return nil
	}
	_, err = api.Create(ctx, want, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil // the informer brings it, and a new sync
	}
	if err == nil {
		c.log.Debugf("EndpointSlice %s: %d nodes", want.Name, len(want.Endpoints))
	}
	return err
}
