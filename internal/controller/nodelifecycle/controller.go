package nodelifecycle

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	coordinationlisters "k8s.io/client-go/listers/coordination/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/flowcontrol"

	"github.com/hanok-dev/hanok/internal/controller"
)

// Options are the controller's timings and limits; zero values take
// upstream's.
type Options struct {
	GracePeriod        time.Duration // --node-monitor-grace-period, 40s
	StartupGracePeriod time.Duration // --node-startup-grace-period, 60s
	MonitorPeriod      time.Duration // --node-monitor-period, 5s
	// EvictionRate is how many nodes per second of a zone may be newly
	// tainted NoExecute (--node-eviction-rate, 0.1); SecondaryEvictionRate
	// that in a partially disrupted zone of more than
	// LargeClusterThreshold nodes (0.01, 50; smaller zones: none);
	// UnhealthyZoneThreshold the share of not-ready nodes (more than two)
	// that makes a zone partially disrupted (0.55).
	EvictionRate, SecondaryEvictionRate float64
	LargeClusterThreshold               int
	UnhealthyZoneThreshold              float64
}

func (o Options) withDefaults() Options {
	if o.GracePeriod == 0 {
		o.GracePeriod = 40 * time.Second
	}
	if o.StartupGracePeriod == 0 {
		o.StartupGracePeriod = 60 * time.Second
	}
	if o.MonitorPeriod == 0 {
		o.MonitorPeriod = 5 * time.Second
	}
	if o.EvictionRate == 0 {
		o.EvictionRate = 0.1
	}
	if o.SecondaryEvictionRate == 0 {
		o.SecondaryEvictionRate = 0.01
	}
	if o.LargeClusterThreshold == 0 {
		o.LargeClusterThreshold = 50
	}
	if o.UnhealthyZoneThreshold == 0 {
		o.UnhealthyZoneThreshold = 0.55
	}
	return o
}

// podsByNode indexes pods by spec.nodeName (a name of our own, so no
// other controller's index on the shared informer clashes with it).
const podsByNode = "nodelifecycle/nodeName"

// Controller watches node health, taints nodes and evicts pods.
type Controller struct {
	client   kubernetes.Interface
	nodes    corelisters.NodeLister
	leases   coordinationlisters.LeaseLister
	pods     corelisters.PodLister
	podIndex cache.Indexer
	synced   []cache.InformerSynced
	recorder record.EventRecorder
	opts     Options
	now      func() time.Time
	log      *logrus.Entry

	nodeLoop  *controller.Loop // health and taints, by node name
	evictLoop *controller.Loop // eviction, by pod key

	mu     sync.Mutex
	health map[string]*health
	// taintSeen is when a NoExecute taint without timeAdded was first
	// seen (node|key|value), so its toleration counts from a fixed time.
	taintSeen map[string]time.Time
	// masterDisruption: no zone has a ready node (see allFullyDisrupted).
	masterDisruption bool
	limiters         map[string]*zoneLimiter
}

// zoneLimiter paces a zone's new NoExecute taints.
type zoneLimiter struct {
	rate    float64
	limiter flowcontrol.RateLimiter // nil: none may be added
}

// New builds the controller on cc's informers.
func New(cc controller.Context, opts Options) (*Controller, error) {
	nodes := cc.Informers.Core().V1().Nodes()
	leases := cc.Informers.Coordination().V1().Leases()
	pods := cc.Informers.Core().V1().Pods()
	err := pods.Informer().AddIndexers(cache.Indexers{podsByNode: func(obj any) ([]string, error) {
		if p, ok := obj.(*corev1.Pod); ok && p.Spec.NodeName != "" {
			return []string{p.Spec.NodeName}, nil
		}
		return nil, nil
	}})
	if err != nil {
		return nil, fmt.Errorf("node lifecycle: pod index: %w", err)
	}
	c := &Controller{
		client:   cc.Client,
		nodes:    nodes.Lister(),
		leases:   leases.Lister(),
		pods:     pods.Lister(),
		podIndex: pods.Informer().GetIndexer(),
		synced:   []cache.InformerSynced{nodes.Informer().HasSynced, leases.Informer().HasSynced, pods.Informer().HasSynced},
		recorder: cc.Recorder,
		opts:     opts.withDefaults(),
		now:      time.Now,
		log:      logrus.WithField("component", "node-lifecycle-controller"),
		health:   map[string]*health{},

		taintSeen: map[string]time.Time{},
		limiters:  map[string]*zoneLimiter{},
	}
	c.nodeLoop = controller.NewLoop("node-lifecycle-controller", c.syncNode)
	c.evictLoop = controller.NewLoop("taint-eviction-controller", c.syncPod)
	_, _ = nodes.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: c.nodeLoop.Add,
		UpdateFunc: func(oldObj, obj any) {
			c.nodeLoop.Add(obj)
			old, n := oldObj.(*corev1.Node), obj.(*corev1.Node)
			if !apiequality.Semantic.DeepEqual(noExecute(old.Spec.Taints), noExecute(n.Spec.Taints)) {
				c.enqueuePodsOn(n.Name)
			}
		},
		DeleteFunc: c.nodeLoop.Add,
	})
	_, _ = leases.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		UpdateFunc: func(_, obj any) {
			if l, ok := obj.(metav1.Object); ok && l.GetNamespace() == corev1.NamespaceNodeLease {
				c.nodeLoop.Queue.Add(l.GetName())
			}
		},
	})
	podChanged := func(obj any) {
		if p, ok := obj.(*corev1.Pod); ok && p.Spec.NodeName != "" {
			c.evictLoop.Add(p)
		}
	}
	_, _ = pods.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    podChanged,
		UpdateFunc: func(_, obj any) { podChanged(obj) },
	})
	return c, nil
}

// Run implements controller.Controller: the node and eviction loops, and
// a look at every node each monitor period.
func (c *Controller) Run(ctx context.Context, workers int) {
	if !cache.WaitForNamedCacheSync("node-lifecycle-controller", ctx.Done(), c.synced...) {
		return
	}
	go wait.UntilWithContext(ctx, c.monitor, c.opts.MonitorPeriod)
	go c.evictLoop.Run(ctx, workers, c.synced...)
	c.nodeLoop.Run(ctx, workers, c.synced...)
}
