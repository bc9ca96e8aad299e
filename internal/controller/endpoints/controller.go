package endpoints

import (
	"context"
	"fmt"

	"github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/controller"
)

// HeadlessLabel marks the Endpoints (and slices) of a headless service.
const HeadlessLabel = corev1.IsHeadlessService

// Controller keeps Endpoints in step with Services and pods.
type Controller struct {
	client    kubernetes.Interface
	services  corelisters.ServiceLister
	pods      corelisters.PodLister
	endpoints corelisters.EndpointsLister
	synced    []cache.InformerSynced
	loop      *controller.Loop
	log       *logrus.Entry
}

// New is the Endpoints controller (service account endpoint-controller).
func New(c controller.Context) (*Controller, error) {
	svcs := c.Informers.Core().V1().Services()
	pods := c.Informers.Core().V1().Pods()
	eps := c.Informers.Core().V1().Endpoints()
	ec := &Controller{
		client:    c.Client,
		services:  svcs.Lister(),
		pods:      pods.Lister(),
		endpoints: eps.Lister(),
		synced:    []cache.InformerSynced{svcs.Informer().HasSynced, pods.Informer().HasSynced, eps.Informer().HasSynced},
		log:       logrus.WithField("component", "endpoint-controller"),
	}
	ec.loop = controller.NewLoop("endpoint-controller", ec.sync)
	_, _ = svcs.Informer().AddEventHandler(ec.loop.Handlers())
	_, _ = pods.Informer().AddEventHandler(PodHandlers(svcs.Lister(), ec.loop.Queue.Add))
	_, _ = eps.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		// Someone else deleting our Endpoints: put it back.
		DeleteFunc: ec.loop.Add,
	})
	return ec, nil
}

// Run implements controller.Controller.
func (ec *Controller) Run(ctx context.Context, workers int) {
	ec.loop.Run(ctx, workers, ec.synced...)
}

// PodHandlers enqueue (as namespace/name) the services whose selector
// matches a pod, before or after a change that can move it in or out of
// their endpoints.
func PodHandlers(services corelisters.ServiceLister, enqueue func(string)) cache.ResourceEventHandlerFuncs {
	wake := func(pod *corev1.Pod) {
		svcs, err := services.Services(pod.Namespace).List(labels.Everything())
		if err != nil {
			return
		}
		for _, svc := range svcs {
			if len(svc.Spec.Selector) == 0 {
				continue
			}
			if labels.SelectorFromValidatedSet(svc.Spec.Selector).Matches(labels.Set(pod.Labels)) {
				enqueue(svc.Namespace + "/" + svc.Name)
			}
		}
	}
	podOf := func(obj any) *corev1.Pod {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		pod, _ := obj.(*corev1.Pod)
		return pod
	}
	return cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			if pod := podOf(obj); pod != nil {
				wake(pod)
			}
		},
		UpdateFunc: func(oldObj, curObj any) {
			old, cur := podOf(oldObj), podOf(curObj)
			if old == nil || cur == nil || old.ResourceVersion == cur.ResourceVersion {
				return
			}
			wake(cur)
			if !labels.Equals(old.Labels, cur.Labels) {
				wake(old)
			}
		},
		DeleteFunc: func(obj any) {
			if pod := podOf(obj); pod != nil {
				wake(pod)
			}
		},
	}
}

func (ec *Controller) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	svc, err := ec.services.Services(ns).Get(name)
	if apierrors.IsNotFound(err) {
		// The service is gone: so are its endpoints.
		err := ec.client.CoreV1().Endpoints(ns).Delete(ctx, name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return err
		}
		return nil
	}
	if err != nil {
		return err
	}
	if svc.Spec.Selector == nil || svc.Spec.Type == corev1.ServiceTypeExternalName {
		return nil // user-managed endpoints, or none at all
	}
	pods, err := ec.pods.Pods(ns).List(labels.SelectorFromValidatedSet(svc.Spec.Selector))
	if err != nil {
		return err
	}
	subsets, truncated := Subsets(svc, pods)
	want := Desired(svc, subsets, truncated)

	cur, err := ec.endpoints.Endpoints(ns).Get(name)
	if apierrors.IsNotFound(err) {
		_, err := ec.client.CoreV1().Endpoints(ns).Create(ctx, want, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("endpoints %s: created meanwhile, retrying", key)
		}
		if apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
			return nil
		}
		return err
	}
	if err != nil {
		return err
	}
	if apiequality.Semantic.DeepEqual(cur.Subsets, want.Subsets) && equalMaps(cur.Labels, want.Labels) &&
		cur.Annotations[OverCapacityAnnotation] == want.Annotations[OverCapacityAnnotation] {
		return nil
	}
	updated := cur.DeepCopy()
	updated.Subsets = want.Subsets
	updated.Labels = want.Labels
	if updated.Annotations == nil {
		updated.Annotations = map[string]string{}
	}
	delete(updated.Annotations, OverCapacityAnnotation)
	for k, v := range want.Annotations {
		updated.Annotations[k] = v
	}
	_, err = ec.client.CoreV1().Endpoints(ns).Update(ctx, updated, metav1.UpdateOptions{})
	return err
}

// Desired is the Endpoints object svc should have: its subsets, the
// service's labels (the headless label set exactly when it is headless),
// the over-capacity annotation when truncated.
func Desired(svc *corev1.Service, subsets []corev1.EndpointSubset, truncated bool) *corev1.Endpoints {
	ep := &corev1.Endpoints{
		ObjectMeta: metav1.ObjectMeta{Name: svc.Name, Namespace: svc.Namespace, Labels: map[string]string{}},
		Subsets:    subsets,
	}
	for k, v := range svc.Labels {
		if k != HeadlessLabel {
			ep.Labels[k] = v
		}
	}
	if IsHeadless(svc) {
		ep.Labels[HeadlessLabel] = ""
	}
	if truncated {
		ep.Annotations = map[string]string{OverCapacityAnnotation: "truncated"}
	}
	return ep
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
