package endpointslice

import (
	"context"
	"errors"
	"fmt"

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

	"github.com/hanok-dev/hanok/internal/controller"
	"github.com/hanok-dev/hanok/internal/controller/endpoints"
)

// Controller keeps EndpointSlices in step with Services and pods.
type Controller struct {
	client   kubernetes.Interface
	services corelisters.ServiceLister
	pods     corelisters.PodLister
	nodes    corelisters.NodeLister
	slices   discoverylisters.EndpointSliceLister
	synced   []cache.InformerSynced
	tracker  *tracker
	loop     *controller.Loop
	log      *logrus.Entry
	max      int
}

// New is the EndpointSlice controller (service account
// endpointslice-controller).
func New(c controller.Context) (*Controller, error) {
	svcs := c.Informers.Core().V1().Services()
	pods := c.Informers.Core().V1().Pods()
	nodes := c.Informers.Core().V1().Nodes()
	slices := c.Informers.Discovery().V1().EndpointSlices()
	sc := &Controller{
		client:   c.Client,
		services: svcs.Lister(),
		pods:     pods.Lister(),
		nodes:    nodes.Lister(),
		slices:   slices.Lister(),
		synced: []cache.InformerSynced{svcs.Informer().HasSynced, pods.Informer().HasSynced,
			nodes.Informer().HasSynced, slices.Informer().HasSynced},
		tracker: newTracker(),
		log:     logrus.WithField("component", "endpointslice-controller"),
		max:     MaxEndpointsPerSlice,
	}
	sc.loop = controller.NewLoop("endpointslice-controller", sc.sync)
	_, _ = svcs.Informer().AddEventHandler(sc.loop.Handlers())
	_, _ = pods.Informer().AddEventHandler(endpoints.PodHandlers(svcs.Lister(), sc.loop.Queue.Add))
	_, _ = slices.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    sc.sliceChanged,
		UpdateFunc: func(_, cur any) { sc.sliceChanged(cur) },
		DeleteFunc: sc.sliceDeleted,
	})
	return sc, nil
}

// Run implements controller.Controller.
func (sc *Controller) Run(ctx context.Context, workers int) {
	sc.loop.Run(ctx, workers, sc.synced...)
}

func sliceOf(obj any) *discoveryv1.EndpointSlice {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	s, _ := obj.(*discoveryv1.EndpointSlice)
	return s
}

// serviceKey is the key of the service owning a slice this controller
// manages ("" for other slices).
func serviceKey(s *discoveryv1.EndpointSlice) string {
	if s == nil || s.Labels[discoveryv1.LabelManagedBy] != ManagedBy || s.Labels[discoveryv1.LabelServiceName] == "" {
		return ""
	}
	return s.Namespace + "/" + s.Labels[discoveryv1.LabelServiceName]
}

func (sc *Controller) sliceChanged(obj any) {
	if k := serviceKey(sliceOf(obj)); k != "" {
		sc.loop.Queue.Add(k)
	}
}

func (sc *Controller) sliceDeleted(obj any) {
	s := sliceOf(obj)
	if k := serviceKey(s); k != "" {
		sc.tracker.forget(k, s.Name)
		sc.loop.Queue.Add(k)
	}
}

func (sc *Controller) zoneOf(node string) string {
	n, err := sc.nodes.Get(node)
	if err != nil {
		return ""
	}
	return n.Labels[corev1.LabelTopologyZone]
}

// errStale asks for a retry once the cache caught up with our writes.
var errStale = errors.New("endpoint slice cache is behind this controller's writes; retrying")

func (sc *Controller) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	managed, err := sc.slices.EndpointSlices(ns).List(labels.SelectorFromSet(labels.Set{
		discoveryv1.LabelServiceName: name, discoveryv1.LabelManagedBy: ManagedBy}))
	if err != nil {
		return err
	}
	svc, err := sc.services.Services(ns).Get(name)
	if apierrors.IsNotFound(err) || err == nil && (svc.Spec.Selector == nil || svc.Spec.Type == corev1.ServiceTypeExternalName) {
		if apierrors.IsNotFound(err) {
			sc.tracker.forgetService(key)
		}
		return sc.apply(ctx, key, Plan{Delete: managed})
	}
	if err != nil {
		return err
	}
	byName := map[string]*discoveryv1.EndpointSlice{}
	for _, s := range managed {
		byName[s.Name] = s
	}
	if sc.tracker.stale(key, byName) {
		return errStale
	}
	var owned, foreign []*discoveryv1.EndpointSlice
	for _, s := range managed {
		if ref := metav1.GetControllerOfNoCopy(s); ref != nil && ref.UID == svc.UID {
			owned = append(owned, s)
		} else {
			foreign = append(foreign, s) // left from an earlier service of this name
		}
	}
	pods, err := sc.pods.Pods(ns).List(labels.SelectorFromValidatedSet(svc.Spec.Selector))
	if err != nil {
		return err
	}
	plan := Reconcile(svc, Desired(svc, pods, sc.zoneOf), owned, sc.max)
	plan.Delete = append(plan.Delete, foreign...)
	return sc.apply(ctx, key, plan)
}

// apply writes plan: creates and updates before deletes, so consumers
// never see an endpoint vanish between slices.
func (sc *Controller) apply(ctx context.Context, key string, plan Plan) error {
	api := func(ns string) interface {
		Create(context.Context, *discoveryv1.EndpointSlice, metav1.CreateOptions) (*discoveryv1.EndpointSlice, error)
		Update(context.Context, *discoveryv1.EndpointSlice, metav1.UpdateOptions) (*discoveryv1.EndpointSlice, error)
		Delete(context.Context, string, metav1.DeleteOptions) error
	} {
		return sc.client.DiscoveryV1().EndpointSlices(ns)
	}
	var errs []error
	for _, s := range plan.Create {
		created, err := api(s.Namespace).Create(ctx, s, metav1.CreateOptions{})
		if err != nil {
			if !apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
				errs = append(errs, fmt.Errorf("creating endpoint slice for %s: %w", key, err))
			}
			continue
		}
		sc.tracker.expect(key, created.Name, created.Generation)
	}
	for _, s := range plan.Update {
		updated, err := api(s.Namespace).Update(ctx, s, metav1.UpdateOptions{})
		if err != nil {
			errs = append(errs, fmt.Errorf("updating endpoint slice %s: %w", s.Name, err))
			continue
		}
		sc.tracker.expect(key, updated.Name, updated.Generation)
	}
	for _, s := range plan.Delete {
		err := api(s.Namespace).Delete(ctx, s.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &s.UID}})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("deleting endpoint slice %s: %w", s.Name, err))
			continue
		}
		if err == nil {
			sc.tracker.expect(key, s.Name, deleted)
		}
	}
	return errors.Join(errs...)
}
