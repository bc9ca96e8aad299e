package statefulset

import (
	"context"
	"time"

	"github.com/sirupsen/logrus"
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

// Controller runs StatefulSets.
type Controller struct {
	client    kubernetes.Interface
	sets      appslisters.StatefulSetLister
	pods      corelisters.PodLister
	revisions appslisters.ControllerRevisionLister
	claims    corelisters.PersistentVolumeClaimLister
	synced    []cache.InformerSynced
	recorder  record.EventRecorder
	loop      *controller.Loop
	log       *logrus.Entry
	now       func() time.Time
}

// New is the StatefulSet controller (service account
// statefulset-controller).
func New(c controller.Context) (*Controller, error) {
	sets := c.Informers.Apps().V1().StatefulSets()
	pods := c.Informers.Core().V1().Pods()
	revs := c.Informers.Apps().V1().ControllerRevisions()
	pvcs := c.Informers.Core().V1().PersistentVolumeClaims()
	sc := &Controller{
		client:    c.Client,
		sets:      sets.Lister(),
		pods:      pods.Lister(),
		revisions: revs.Lister(),
		claims:    pvcs.Lister(),
		synced: []cache.InformerSynced{sets.Informer().HasSynced, pods.Informer().HasSynced,
			revs.Informer().HasSynced, pvcs.Informer().HasSynced},
		recorder: c.Recorder,
		log:      logrus.WithField("component", "statefulset-controller"),
		now:      time.Now,
	}
	sc.loop = controller.NewLoop("statefulset-controller", sc.sync)
	_, _ = sets.Informer().AddEventHandler(sc.loop.Handlers())
	_, _ = pods.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    sc.podChanged,
		UpdateFunc: func(old, cur any) { sc.podChanged(old); sc.podChanged(cur) },
		DeleteFunc: sc.podChanged,
	})
	return sc, nil
}

// Run implements controller.Controller.
func (sc *Controller) Run(ctx context.Context, workers int) {
	sc.loop.Run(ctx, workers, sc.synced...)
}

// podChanged wakes the set owning pod, or for an orphan every set whose
// selector matches it.
func (sc *Controller) podChanged(obj any) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	if ref := metav1.GetControllerOfNoCopy(pod); ref != nil {
		if ref.Kind == setKind.Kind {
			sc.loop.Queue.Add(pod.Namespace + "/" + ref.Name)
		}
		return
	}
	sets, _ := sc.sets.StatefulSets(pod.Namespace).List(labels.Everything())
	for _, set := range sets {
		sel, err := metav1.LabelSelectorAsSelector(set.Spec.Selector)
		if err == nil && !sel.Empty() && sel.Matches(labels.Set(pod.Labels)) {
			sc.loop.Queue.Add(set.Namespace + "/" + set.Name)
		}
	}
}
