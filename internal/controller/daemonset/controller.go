package daemonset

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
	"github.com/hanok-dev/hanok/internal/controller/ownedpods"
)

var dsKind = appsv1.SchemeGroupVersion.WithKind("DaemonSet")

// Controller runs DaemonSets.
type Controller struct {
	client       kubernetes.Interface
	sets         appslisters.DaemonSetLister
	nodes        corelisters.NodeLister
	pods         corelisters.PodLister
	revisions    appslisters.ControllerRevisionLister
	synced       []cache.InformerSynced
	expectations *ownedpods.Expectations
	recorder     record.EventRecorder
	loop         *controller.Loop
	log          *logrus.Entry
	now          func() time.Time
}

// New is the DaemonSet controller (service account daemon-set-controller).
func New(c controller.Context) (*Controller, error) {
	sets := c.Informers.Apps().V1().DaemonSets()
	nodes := c.Informers.Core().V1().Nodes()
	pods := c.Informers.Core().V1().Pods()
	revs := c.Informers.Apps().V1().ControllerRevisions()
	dc := &Controller{
		client:    c.Client,
		sets:      sets.Lister(),
		nodes:     nodes.Lister(),
		pods:      pods.Lister(),
		revisions: revs.Lister(),
		synced: []cache.InformerSynced{sets.Informer().HasSynced, nodes.Informer().HasSynced,
			pods.Informer().HasSynced, revs.Informer().HasSynced},
		expectations: ownedpods.NewExpectations(),
		recorder:     c.Recorder,
		log:          logrus.WithField("component", "daemon-set-controller"),
		now:          time.Now,
	}
	dc.loop = controller.NewLoop("daemon-set-controller", dc.sync)
	_, _ = sets.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    dc.loop.Add,
		UpdateFunc: func(_, cur any) { dc.loop.Add(cur) },
		DeleteFunc: func(obj any) {
			if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
				dc.expectations.Delete(key)
			}
		},
	})
	_, _ = nodes.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(any) { dc.enqueueAll() },
		UpdateFunc: func(oldObj, curObj any) {
			old, cur := oldObj.(*corev1.Node), curObj.(*corev1.Node)
			if !labels.Equals(old.Labels, cur.Labels) || !equalTaints(old.Spec.Taints, cur.Spec.Taints) {
				dc.enqueueAll()
			}
		},
		DeleteFunc: func(any) { dc.enqueueAll() },
	})
	_, _ = pods.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			pod := obj.(*corev1.Pod)
			if key, ok := dc.owner(pod); ok {
				if pod.DeletionTimestamp != nil {
					dc.expectations.DeletionObserved(key, pod.Namespace+"/"+pod.Name)
				} else {
					dc.expectations.CreationObserved(key)
				}
				dc.loop.Queue.Add(key)
			}
		},
		UpdateFunc: func(oldObj, curObj any) {
			old, cur := oldObj.(*corev1.Pod), curObj.(*corev1.Pod)
			if key, ok := dc.owner(cur); ok {
				if cur.DeletionTimestamp != nil && old.DeletionTimestamp == nil {
					dc.expectations.DeletionObserved(key, cur.Namespace+"/"+cur.Name)
				}
				dc.loop.Queue.Add(key)
			}
		},
		DeleteFunc: func(obj any) {
			if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = tomb.Obj
			}
			pod, ok := obj.(*corev1.Pod)
			if !ok {
				return
			}
			if key, ok := dc.owner(pod); ok {
				dc.expectations.DeletionObserved(key, pod.Namespace+"/"+pod.Name)
				dc.loop.Queue.Add(key)
			}
		},
	})
	return dc, nil
}

// Run implements controller.Controller.
func (dc *Controller) Run(ctx context.Context, workers int) {
	dc.loop.Run(ctx, workers, dc.synced...)
}

func (dc *Controller) enqueueAll() {
	sets, _ := dc.sets.List(labels.Everything())
	for _, ds := range sets {
		dc.loop.Queue.Add(ds.Namespace + "/" + ds.Name)
	}
}

func (dc *Controller) owner(pod *corev1.Pod) (string, bool) {
	ref := metav1.GetControllerOfNoCopy(pod)
	if ref == nil || ref.Kind != dsKind.Kind {
		return "", false
	}
	return pod.Namespace + "/" + ref.Name, true
}

func equalTaints(a, b []corev1.Taint) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key || a[i].Value != b[i].Value || a[i].Effect != b[i].Effect {
			return false
		}
	}
	return true
}
