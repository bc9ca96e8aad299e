package deployment

import (
	"context"
	"time"

	"github.com/sirupsen/logrus"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	appslisters "k8s.io/client-go/listers/apps/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"

	"github.com/hanok-dev/hanok/internal/controller"
)

var deploymentKind = appsv1.SchemeGroupVersion.WithKind("Deployment")

// Controller rolls Deployments out as ReplicaSets.
type Controller struct {
	client   kubernetes.Interface
	dLister  appslisters.DeploymentLister
	rsLister appslisters.ReplicaSetLister
	pods     corelisters.PodLister
	synced   []cache.InformerSynced
	recorder record.EventRecorder
	loop     *controller.Loop
	log      *logrus.Entry
	now      func() time.Time
}

// New is the Deployment controller (service account deployment-controller).
func New(c controller.Context) (*Controller, error) {
	ds := c.Informers.Apps().V1().Deployments()
	rss := c.Informers.Apps().V1().ReplicaSets()
	pods := c.Informers.Core().V1().Pods()
	dc := &Controller{
		client:   c.Client,
		dLister:  ds.Lister(),
		rsLister: rss.Lister(),
		pods:     pods.Lister(),
		synced:   []cache.InformerSynced{ds.Informer().HasSynced, rss.Informer().HasSynced, pods.Informer().HasSynced},
		recorder: c.Recorder,
		log:      logrus.WithField("component", "deployment-controller"),
		now:      time.Now,
	}
	dc.loop = controller.NewLoop("deployment-controller", dc.sync)
	_, _ = ds.Informer().AddEventHandler(dc.loop.Handlers())
	_, _ = rss.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    dc.addRS,
		UpdateFunc: dc.updateRS,
		DeleteFunc: dc.deleteRS,
	})
	_, _ = pods.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{DeleteFunc: dc.deletePod})
	return dc, nil
}

// Run implements controller.Controller.
func (dc *Controller) Run(ctx context.Context, workers int) {
	dc.loop.Run(ctx, workers, dc.synced...)
}

func (dc *Controller) enqueue(d *appsv1.Deployment) { dc.loop.Queue.Add(d.Namespace + "/" + d.Name) }

// owner is the Deployment ref points to, if it still is that object.
func (dc *Controller) owner(ns string, ref *metav1.OwnerReference) *appsv1.Deployment {
	if ref == nil || ref.Kind != deploymentKind.Kind {
		return nil
	}
	d, err := dc.dLister.Deployments(ns).Get(ref.Name)
	if err != nil || d.UID != ref.UID {
		return nil
	}
	return d
}

// matching are the Deployments whose selector matches rs: the candidates
// to adopt an orphan.
func (dc *Controller) matching(rs *appsv1.ReplicaSet) []*appsv1.Deployment {
	ds, _ := dc.dLister.Deployments(rs.Namespace).List(labels.Everything())
	var out []*appsv1.Deployment
	for _, d := range ds {
		sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
		if err == nil && !sel.Empty() && sel.Matches(labels.Set(rs.Labels)) {
			out = append(out, d)
		}
	}
	return out
}

func (dc *Controller) addRS(obj any) {
	rs := obj.(*appsv1.ReplicaSet)
	if rs.DeletionTimestamp != nil {
		dc.deleteRS(rs)
		return
	}
	if ref := metav1.GetControllerOfNoCopy(rs); ref != nil {
		if d := dc.owner(rs.Namespace, ref); d != nil {
			dc.enqueue(d)
		}
		return
	}
	for _, d := range dc.matching(rs) {
		dc.enqueue(d)
	}
}

func (dc *Controller) updateRS(oldObj, curObj any) {
	old, cur := oldObj.(*appsv1.ReplicaSet), curObj.(*appsv1.ReplicaSet)
	if old.ResourceVersion == cur.ResourceVersion {
		return
	}
	curRef, oldRef := metav1.GetControllerOfNoCopy(cur), metav1.GetControllerOfNoCopy(old)
	refChanged := (curRef == nil) != (oldRef == nil) || curRef != nil && curRef.UID != oldRef.UID
	if refChanged && oldRef != nil {
		if d := dc.owner(old.Namespace, oldRef); d != nil {
			dc.enqueue(d)
		}
	}
	if curRef != nil {
		if d := dc.owner(cur.Namespace, curRef); d != nil {
			dc.enqueue(d)
		}
		return
	}
	if refChanged || !labels.Equals(old.Labels, cur.Labels) {
		for _, d := range dc.matching(cur) {
			dc.enqueue(d)
		}
	}
}

func (dc *Controller) deleteRS(obj any) {
	rs, ok := obj.(*appsv1.ReplicaSet)
	if !ok {
		tomb, ok := obj.(cache.DeletedFinalStateUnknown)
		if !ok {
			return
		}
		if rs, ok = tomb.Obj.(*appsv1.ReplicaSet); !ok {
			return
		}
	}
	if d := dc.owner(rs.Namespace, metav1.GetControllerOfNoCopy(rs)); d != nil {
		dc.enqueue(d)
	}
}

// deletePod wakes a Recreate Deployment: it waits for every old pod to
// be gone before creating new ones.
func (dc *Controller) deletePod(obj any) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		tomb, ok := obj.(cache.DeletedFinalStateUnknown)
		if !ok {
			return
		}
		if pod, ok = tomb.Obj.(*corev1.Pod); !ok {
			return
		}
	}
	ref := metav1.GetControllerOfNoCopy(pod)
	if ref == nil || ref.Kind != "ReplicaSet" {
		return
	}
	rs, err := dc.rsLister.ReplicaSets(pod.Namespace).Get(ref.Name)
	if err != nil || rs.UID != ref.UID {
		return
	}
	if d := dc.owner(rs.Namespace, metav1.GetControllerOfNoCopy(rs)); d != nil && d.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType {
		dc.enqueue(d)
	}
}
