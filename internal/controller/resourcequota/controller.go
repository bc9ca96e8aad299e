package resourcequota

import (
	"context"
	"fmt"
	"time"

	"github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/apiserver/admission/plugins"
	"github.com/hanok-dev/hanok/internal/apiserver/quota"
	"github.com/hanok-dev/hanok/internal/controller"
)

// Name is the controller's component and service account name.
const Name = "resourcequota-controller"

// DefaultResyncPeriod is upstream's --resource-quota-sync-period.
const DefaultResyncPeriod = 5 * time.Minute

// Options tune the controller; zero values take upstream's defaults.
type Options struct {
	// ResyncPeriod is how often every quota is recomputed in full, which
	// is what releases usage nothing else replenishes (a configmap
	// deleted, a create that failed after admission charged it).
	ResyncPeriod time.Duration
}

// Controller keeps ResourceQuota status in step with what exists.
type Controller struct {
	client   kubernetes.Interface
	quotas   corelisters.ResourceQuotaLister
	pods     corelisters.PodLister
	services corelisters.ServiceLister
	claims   corelisters.PersistentVolumeClaimLister
	// counter LISTs resources kept in no informer here.
	counter plugins.ObjectCounter
	resync  time.Duration
	now     func() time.Time
	synced  []cache.InformerSynced
	loop    *controller.Loop
	log     *logrus.Entry
}

// New builds the controller on cc's informers.
func New(cc controller.Context, opts Options) (*Controller, error) {
	if opts.ResyncPeriod <= 0 {
		opts.ResyncPeriod = DefaultResyncPeriod
	}
	core := cc.Informers.Core().V1()
	quotas, pods, services, claims := core.ResourceQuotas(), core.Pods(), core.Services(), core.PersistentVolumeClaims()
	c := &Controller{
		client:   cc.Client,
		quotas:   quotas.Lister(),
		pods:     pods.Lister(),
		services: services.Lister(),
		claims:   claims.Lister(),
		counter:  plugins.NewDiscoveryCounter(cc.Client),
		resync:   opts.ResyncPeriod,
		now:      time.Now,
		synced: []cache.InformerSynced{quotas.Informer().HasSynced, pods.Informer().HasSynced,
			services.Informer().HasSynced, claims.Informer().HasSynced},
		log: logrus.WithField("component", Name),
	}
	c.loop = controller.NewLoop(Name, c.sync)
	_, _ = quotas.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    c.loop.Add,
		UpdateFunc: c.quotaUpdated,
	})
	_, _ = pods.Informer().AddEventHandler(c.replenish(func(obj any) corev1.ResourceList {
		return quota.PodUsage(obj.(*corev1.Pod), c.now())
	}))
	_, _ = services.Informer().AddEventHandler(c.replenish(func(obj any) corev1.ResourceList {
		return quota.ServiceUsage(obj.(*corev1.Service))
	}))
	_, _ = claims.Informer().AddEventHandler(c.replenish(func(obj any) corev1.ResourceList {
		return quota.ClaimUsage(obj.(*corev1.PersistentVolumeClaim))
	}))
	return c, nil
}

// Run implements controller.Controller.
func (c *Controller) Run(ctx context.Context, workers int) {
	go wait.UntilWithContext(ctx, func(context.Context) { c.enqueueAll() }, c.resync)
	c.loop.Run(ctx, workers, c.synced...)
}

// quotaUpdated enqueues a quota whose limits changed, or whose status
// does not show them yet. Status-only changes (admission charging it) do
// not: recomputing after every charge would race the charges.
func (c *Controller) quotaUpdated(oldObj, curObj any) {
	old, cur := oldObj.(*corev1.ResourceQuota), curObj.(*corev1.ResourceQuota)
	if !apiequality.Semantic.DeepEqual(old.Spec, cur.Spec) || !equalLists(cur.Status.Hard, cur.Spec.Hard) {
		c.loop.Add(cur)
	}
}

// replenish is upstream's replenishment: an object deleted, or changed so
// that it uses less (a pod turning terminal, a claim resized), gives its
// usage back at once by recomputing its namespace's quotas. Creates need
// nothing: admission charged them.
func (c *Controller) replenish(usage func(obj any) corev1.ResourceList) cache.ResourceEventHandlerFuncs {
	return cache.ResourceEventHandlerFuncs{
		UpdateFunc: func(oldObj, curObj any) {
			if !equalLists(usage(oldObj), usage(curObj)) {
				c.enqueueNamespace(curObj)
			}
		},
		DeleteFunc: func(obj any) {
			if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = tomb.Obj
			}
			c.enqueueNamespace(obj)
		},
	}
}

func (c *Controller) enqueueNamespace(obj any) {
	m, err := meta.Accessor(obj)
	if err != nil {
		return
	}
	quotas, err := c.quotas.ResourceQuotas(m.GetNamespace()).List(labels.Everything())
	if err != nil {
		return
	}
	for _, q := range quotas {
		c.loop.Add(q)
	}
}

func (c *Controller) enqueueAll() {
	quotas, err := c.quotas.List(labels.Everything())
	if err != nil {
		return
	}
	for _, q := range quotas {
		c.loop.Add(q)
	}
}

// sync recomputes one quota and writes its status if it changed.
func (c *Controller) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	q, err := c.quotas.ResourceQuotas(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	inv, err := c.inventory(ctx, q)
	if err != nil {
		return fmt.Errorf("resource quota %s: %w", key, err)
	}
	u, err := used(q, inv, c.now())
	if err != nil {
		return fmt.Errorf("resource quota %s: %w", key, err)
	}
	if upToDate(q, u) {
		return nil
	}
	nq := q.DeepCopy()
	nq.Status.Hard = q.Spec.Hard.DeepCopy()
	nq.Status.Used = u
	_, err = c.client.CoreV1().ResourceQuotas(ns).UpdateStatus(ctx, nq, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	// A conflict means admission charged it meanwhile: recompute.
	return err
}

var quotasResource = corev1.Resource("resourcequotas")

// inventory gathers, for q's namespace, only what q's limits need.
func (c *Controller) inventory(ctx context.Context, q *corev1.ResourceQuota) (inventory, error) {
	inv := inventory{counts: map[schema.GroupResource]int64{}}
	ns, everything := q.Namespace, labels.Everything()
	for gr := range needed(q) {
		var err error
		switch gr {
		case quota.PodsResource:
			inv.pods, err = c.pods.Pods(ns).List(everything)
		case quota.ServicesResource:
			inv.services, err = c.services.Services(ns).List(everything)
		case quota.ClaimsResource:
			inv.claims, err = c.claims.PersistentVolumeClaims(ns).List(everything)
		case quotasResource:
			var l []*corev1.ResourceQuota
			l, err = c.quotas.ResourceQuotas(ns).List(everything)
			inv.counts[gr] = int64(len(l))
		default:
			n, cerr := c.counter.CountObjects(ctx, ns, gr)
			switch {
			case cerr == nil:
				inv.counts[gr] = n
			case ctx.Err() != nil:
				err = cerr
			default:
				// Not served (a CRD gone, a typo): its usage stays as it
				// was rather than holding up the quota's other limits.
				c.log.WithError(cerr).Debugf("quota %s/%s: cannot count %s", ns, q.Name, gr)
				inv.uncounted = append(inv.uncounted, gr)
			}
		}
		if err != nil {
			return inv, fmt.Errorf("counting %s: %w", gr, err)
		}
	}
	return inv, nil
}
