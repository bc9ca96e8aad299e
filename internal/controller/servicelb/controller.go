package servicelb

import (
	"context"
	"strings"

	"github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"

	"github.com/hanok-dev/hanok/internal/controller"
)

// Name is the controller's name in logs and its work queue.
const Name = "service-lb-controller"

// Controller keeps LoadBalancer services' ingress on the Ready nodes.
type Controller struct {
	client   kubernetes.Interface
	services corelisters.ServiceLister
	nodes    corelisters.NodeLister
	synced   []cache.InformerSynced
	recorder record.EventRecorder
	loop     *controller.Loop
	log      *logrus.Entry
}

// New builds the controller from cc's informers and client.
func New(cc controller.Context) (*Controller, error) {
	svcInformer := cc.Informers.Core().V1().Services()
	nodeInformer := cc.Informers.Core().V1().Nodes()
	c := &Controller{
		client:   cc.Client,
		services: svcInformer.Lister(),
		nodes:    nodeInformer.Lister(),
		synced:   []cache.InformerSynced{svcInformer.Informer().HasSynced, nodeInformer.Informer().HasSynced},
		recorder: cc.Recorder,
		log:      logrus.WithField("component", Name),
	}
	c.loop = controller.NewLoop(Name, c.sync)
	if _, err := svcInformer.Informer().AddEventHandler(cache.FilteringResourceEventHandler{
		FilterFunc: func(obj any) bool {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			svc, ok := obj.(*corev1.Service)
			return ok && managed(svc)
		},
		Handler: c.loop.Handlers(),
	}); err != nil {
		return nil, err
	}
	// A node that comes, goes, turns Ready or not, or changes address
	// changes every LoadBalancer's ingress.
	if _, err := nodeInformer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(any) { c.enqueueAll() },
		UpdateFunc: func(old, cur any) {
			o, n := old.(*corev1.Node), cur.(*corev1.Node)
			if ready(o) != ready(n) || !equalAddresses(o, n) || o.Labels[LabelEnableLB] != n.Labels[LabelEnableLB] ||
				(o.DeletionTimestamp == nil) != (n.DeletionTimestamp == nil) {
				c.enqueueAll()
			}
		},
		DeleteFunc: func(any) { c.enqueueAll() },
	}); err != nil {
		return nil, err
	}
	return c, nil
}

func equalAddresses(a, b *corev1.Node) bool {
	if len(a.Status.Addresses) != len(b.Status.Addresses) {
		return false
	}
	for i := range a.Status.Addresses {
		if a.Status.Addresses[i] != b.Status.Addresses[i] {
			return false
		}
	}
	return true
}

func (c *Controller) enqueueAll() {
	svcs, err := c.services.List(labels.Everything())
	if err != nil {
		return
	}
	for _, s := range svcs {
		if managed(s) {
			c.loop.Add(s)
		}
	}
}

// Run implements controller.Controller.
func (c *Controller) Run(ctx context.Context, workers int) {
	c.loop.Run(ctx, workers, c.synced...)
}

// sync gives service key the ingress of the serving nodes, if it has
// other.
func (c *Controller) sync(ctx context.Context, key string) error {
	ns, name, _ := strings.Cut(key, "/")
	svc, err := c.services.Services(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if !managed(svc) {
		return nil
	}
	nodes, err := c.nodes.List(labels.Everything())
	if err != nil {
		return err
	}
	want := ingressFor(svc, nodes)
	if sameIngress(svc.Status.LoadBalancer.Ingress, want) {
		return nil
	}
	updated := svc.DeepCopy()
	updated.Status.LoadBalancer.Ingress = want
	_, err = c.client.CoreV1().Services(ns).UpdateStatus(ctx, updated, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err // a conflict: the newer version comes as an event and a retry
	}
	ips := make([]string, 0, len(want))
	for _, i := range want {
		ips = append(ips, i.IP)
	}
	c.recorder.Eventf(svc, corev1.EventTypeNormal, "UpdatedIngressIP", "LoadBalancer Ingress IP addresses updated: %s", strings.Join(ips, ", "))
	c.log.WithField("service", key).Debugf("ingress %v", ips)
	return nil
}
