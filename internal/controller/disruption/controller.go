package disruption

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	policylisters "k8s.io/client-go/listers/policy/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"

	"github.com/hanok-dev/hanok/internal/controller"
)

// Name is the controller's component and service account name.
const Name = "disruption-controller"

// Controller keeps PodDisruptionBudget status in step with their pods.
type Controller struct {
	client   kubernetes.Interface
	budgets  policylisters.PodDisruptionBudgetLister
	pods     corelisters.PodLister
	scales   *scales
	recorder record.EventRecorder
	now      func() time.Time
	synced   []cache.InformerSynced
	loop     *controller.Loop
	// stale turns DisruptionTarget conditions that nothing acted on false.
	stale *controller.Loop
	log   *logrus.Entry
}

// New builds the controller on cc's informers.
func New(cc controller.Context) (*Controller, error) {
	budgets := cc.Informers.Policy().V1().PodDisruptionBudgets()
	pods := cc.Informers.Core().V1().Pods()
	apps := cc.Informers.Apps().V1()
	rss, deps, sss, rcs := apps.ReplicaSets(), apps.Deployments(), apps.StatefulSets(), cc.Informers.Core().V1().ReplicationControllers()
	c := &Controller{
		client:  cc.Client,
		budgets: budgets.Lister(),
		pods:    pods.Lister(),
		scales: &scales{replicaSets: rss.Lister(), deployments: deps.Lister(), statefulSets: sss.Lister(),
			rcs: rcs.Lister(), scaleReader: newScaleReader(cc.Client.Discovery())},
		recorder: cc.Recorder,
		now:      time.Now,
		synced: []cache.InformerSynced{budgets.Informer().HasSynced, pods.Informer().HasSynced,
			rss.Informer().HasSynced, deps.Informer().HasSynced, sss.Informer().HasSynced, rcs.Informer().HasSynced},
		log: logrus.WithField("component", Name),
	}
	c.loop = controller.NewLoop(Name, c.sync)
	c.stale = controller.NewLoop(Name+"-stale-pod-disruption", c.syncStale)
	_, _ = budgets.Informer().AddEventHandler(c.loop.Handlers())
	_, _ = pods.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { c.podChanged(nil, obj); c.watchStale(obj) },
		UpdateFunc: func(oldObj, curObj any) {
			if oldObj.(*corev1.Pod).ResourceVersion != curObj.(*corev1.Pod).ResourceVersion {
				c.podChanged(oldObj, curObj)
				c.watchStale(curObj)
			}
		},
		DeleteFunc: func(obj any) { c.podChanged(nil, obj) },
	})
	// A controller scaled changes what is expected even before its pods
	// come or go.
	scaled := cache.ResourceEventHandlerFuncs{UpdateFunc: func(oldObj, curObj any) {
		if specReplicas(oldObj) != specReplicas(curObj) {
			c.ownerChanged(curObj)
		}
	}}
	for _, inf := range []cache.SharedIndexInformer{rss.Informer(), deps.Informer(), sss.Informer(), rcs.Informer()} {
		_, _ = inf.AddEventHandler(scaled)
	}
	return c, nil
}

// Run implements controller.Controller.
func (c *Controller) Run(ctx context.Context, workers int) {
	done := make(chan struct{})
	go func() { defer close(done); c.stale.Run(ctx, 1, c.synced...) }()
	c.loop.Run(ctx, workers, c.synced...)
	<-done
}

// podChanged enqueues the budgets that select the pod, before and after.
func (c *Controller) podChanged(oldObj, curObj any) {
	for _, obj := range []any{oldObj, curObj} {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		pod, ok := obj.(*corev1.Pod)
		if !ok {
			continue
		}
		c.enqueueSelecting(pod.Namespace, labels.Set(pod.Labels))
	}
}

// ownerChanged enqueues the budgets selecting a workload's pods: those
// whose selector matches its pod template's labels.
func (c *Controller) ownerChanged(obj any) {
	m, ok := obj.(metav1.Object)
	if !ok {
		return
	}
	if template := templateLabels(obj); template != nil {
		c.enqueueSelecting(m.GetNamespace(), labels.Set(template))
	}
}

func (c *Controller) enqueueSelecting(ns string, set labels.Set) {
	budgets, err := c.budgets.PodDisruptionBudgets(ns).List(labels.Everything())
	if err != nil {
		return
	}
	for _, pdb := range budgets {
		sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err != nil || !sel.Matches(set) {
			continue
		}
		c.loop.Add(pdb)
	}
}

func (c *Controller) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	pdb, err := c.budgets.PodDisruptionBudgets(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	st, recheck, syncErr := c.compute(ctx, pdb)
	if syncErr != nil {
		c.log.WithError(syncErr).Debugf("budget %s", key)
		st = failSafe(pdb, syncErr)
	}
	if err := c.writeStatus(ctx, pdb, st); err != nil {
		return err
	}
	if syncErr != nil {
		return syncErr // retried with back-off; the budget allows nothing meanwhile
	}
	if !recheck.IsZero() {
		c.loop.Queue.AddAfter(key, recheck.Sub(c.now()))
	}
	return nil
}

// compute is the budget's status from what the caches show, and when an
// entry of disruptedPods expires.
func (c *Controller) compute(ctx context.Context, pdb *policyv1.PodDisruptionBudget) (policyv1.PodDisruptionBudgetStatus, time.Time, error) {
	sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
	if err != nil {
		return policyv1.PodDisruptionBudgetStatus{}, time.Time{}, err
	}
	pods, err := c.pods.Pods(pdb.Namespace).List(sel)
	if err != nil {
		return policyv1.PodDisruptionBudgetStatus{}, time.Time{}, err
	}
	if len(pods) == 0 {
		c.recorder.Eventf(pdb, corev1.EventTypeNormal, "NoPods", "No matching pods found")
	}
	e, err := expect(pdb, pods, c.scales.of(ctx))
	if err != nil {
		if errors.As(err, new(noControllerError)) {
			c.recorder.Event(pdb, corev1.EventTypeWarning, "NoControllers", err.Error())
		}
		c.recorder.Eventf(pdb, corev1.EventTypeWarning, "CalculateExpectedPodCountFailed", "Failed to calculate the number of expected pods: %v", err)
		return policyv1.PodDisruptionBudgetStatus{}, time.Time{}, err
	}
	if len(e.unmanaged) > 0 {
		c.recorder.Eventf(pdb, corev1.EventTypeWarning, "UnmanagedPods",
			"Pods selected by this PodDisruptionBudget (selector: %v) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set \".spec.minAvailable\" field of the PDB to an integer value.",
			pdb.Spec.Selector)
	}
	now := c.now()
	disrupted, expired, recheck := disruptedPods(pdb, pods, now)
	for _, name := range expired {
		c.recorder.Eventf(pdb, corev1.EventTypeWarning, "NotDeleted", "Pod %s/%s was expected to be deleted but it wasn't", pdb.Namespace, name)
	}
	return newStatus(pdb, e, healthy(pods, disrupted), disrupted), recheck, nil
}

// writeStatus writes st unless the budget already shows it. A conflict
// is an error: the newer budget comes through the informer and is synced
// again.
func (c *Controller) writeStatus(ctx context.Context, pdb *policyv1.PodDisruptionBudget, st policyv1.PodDisruptionBudgetStatus) error {
	if apiequality.Semantic.DeepEqual(pdb.Status, st) {
		return nil
	}
	updated := pdb.DeepCopy()
	updated.Status = st
	_, err := c.client.PolicyV1().PodDisruptionBudgets(pdb.Namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("status of budget %s/%s: %w", pdb.Namespace, pdb.Name, err)
	}
	return nil
}
