package replicaset

import (
	"context"
	"time"

	"github.com/sirupsen/logrus"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"

	"github.com/hanok-dev/hanok/internal/controller"
	"github.com/hanok-dev/hanok/internal/controller/ownedpods"
)

// Controller keeps each set's pods at its replica count.
type Controller struct {
	client       kubernetes.Interface
	src          source
	pods         corelisters.PodLister
	podsSynced   cache.InformerSynced
	expectations *ownedpods.Expectations
	recorder     record.EventRecorder
	loop         *controller.Loop
	log          *logrus.Entry
	now          func() time.Time
	burst        int
}

// New is the ReplicaSet controller (service account replicaset-controller).
func New(c controller.Context) (*Controller, error) {
	inf := c.Informers.Apps().V1().ReplicaSets()
	return newController(c, "replicaset-controller",
		&replicaSets{client: c.Client, inf: inf.Informer(), lister: inf.Lister()}), nil
}

// NewReplicationController is the ReplicationController controller
// (service account replication-controller), the same loop over the older
// kind.
func NewReplicationController(c controller.Context) (*Controller, error) {
	inf := c.Informers.Core().V1().ReplicationControllers()
	return newController(c, "replication-controller",
		&replicationControllers{client: c.Client, inf: inf.Informer(), lister: inf.Lister()}), nil
}

func newController(c controller.Context, name string, src source) *Controller {
	pods := c.Informers.Core().V1().Pods()
	rc := &Controller{
		client:       c.Client,
		src:          src,
		pods:         pods.Lister(),
		podsSynced:   pods.Informer().HasSynced,
		expectations: ownedpods.NewExpectations(),
		recorder:     c.Recorder,
		log:          logrus.WithField("component", name),
		now:          time.Now,
		burst:        ownedpods.BurstReplicas,
	}
	rc.loop = controller.NewLoop(name, rc.sync)
	_, _ = src.informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    rc.loop.Add,
		UpdateFunc: func(_, cur any) { rc.loop.Add(cur) },
		DeleteFunc: rc.deleteSet,
	})
	_, _ = pods.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    rc.addPod,
		UpdateFunc: rc.updatePod,
		DeleteFunc: rc.deletePod,
	})
	return rc
}

// Run implements controller.Controller.
func (rc *Controller) Run(ctx context.Context, workers int) {
	rc.loop.Run(ctx, workers, rc.src.informer().HasSynced, rc.podsSynced)
}

func (rc *Controller) deleteSet(obj any) {
	if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
		rc.expectations.Delete(key)
	}
	rc.loop.Add(obj)
}

// owner is the set ref points to, if it is one of ours and still the
// same object.
func (rc *Controller) owner(ns string, ref *metav1.OwnerReference) *appsv1.ReplicaSet {
	if ref == nil || ref.Kind != rc.src.gvk().Kind {
		return nil
	}
	rs, err := rc.src.get(ns, ref.Name)
	if err != nil || rs.UID != ref.UID {
		return nil
	}
	return rs
}

// matchingSets are the sets whose selector matches pod: the candidates
// to adopt an orphan.
func (rc *Controller) matchingSets(pod *corev1.Pod) []*appsv1.ReplicaSet {
	sets, _ := rc.src.list(pod.Namespace)
	var out []*appsv1.ReplicaSet
	for _, rs := range sets {
		sel, err := selectorOf(rs)
		if err == nil && !sel.Empty() && sel.Matches(labels.Set(pod.Labels)) {
			out = append(out, rs)
		}
	}
	return out
}

func key(rs *appsv1.ReplicaSet) string { return rs.Namespace + "/" + rs.Name }

func (rc *Controller) addPod(obj any) {
	pod := obj.(*corev1.Pod)
	if pod.DeletionTimestamp != nil {
		rc.deletePod(pod)
		return
	}
	if ref := metav1.GetControllerOfNoCopy(pod); ref != nil {
		if rs := rc.owner(pod.Namespace, ref); rs != nil {
			rc.expectations.CreationObserved(key(rs))
			rc.loop.Queue.Add(key(rs))
		}
		return
	}
	for _, rs := range rc.matchingSets(pod) {
		rc.loop.Queue.Add(key(rs))
	}
}

func (rc *Controller) updatePod(oldObj, curObj any) {
	old, cur := oldObj.(*corev1.Pod), curObj.(*corev1.Pod)
	if old.ResourceVersion == cur.ResourceVersion {
		return
	}
	labelsChanged := !labels.Equals(old.Labels, cur.Labels)
	if cur.DeletionTimestamp != nil {
		// A graceful delete shows first as this update; count the pod
		// gone now, so a replacement is not held back for the grace period.
		rc.deletePod(cur)
		if labelsChanged {
			rc.deletePod(old)
		}
		return
	}
	curRef, oldRef := metav1.GetControllerOfNoCopy(cur), metav1.GetControllerOfNoCopy(old)
	refChanged := !equalRefs(curRef, oldRef)
	if refChanged && oldRef != nil {
		if rs := rc.owner(old.Namespace, oldRef); rs != nil {
			rc.loop.Queue.Add(key(rs))
		}
	}
	if curRef != nil {
		if rs := rc.owner(cur.Namespace, curRef); rs != nil {
			rc.loop.Queue.Add(key(rs))
			if !ownedpods.IsReady(old) && ownedpods.IsReady(cur) && rs.Spec.MinReadySeconds > 0 {
				rc.loop.Queue.AddAfter(key(rs), time.Duration(rs.Spec.MinReadySeconds)*time.Second+time.Second)
			}
		}
		return
	}
	if labelsChanged || refChanged {
		for _, rs := range rc.matchingSets(cur) {
			rc.loop.Queue.Add(key(rs))
		}
	}
}

func (rc *Controller) deletePod(obj any) {
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
	rs := rc.owner(pod.Namespace, metav1.GetControllerOfNoCopy(pod))
	if rs == nil {
		return
	}
	rc.expectations.DeletionObserved(key(rs), pod.Namespace+"/"+pod.Name)
	rc.loop.Queue.Add(key(rs))
}

func equalRefs(a, b *metav1.OwnerReference) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.UID == b.UID
}

// selectorOf is rs's selector; an empty one selects nothing here (a set
// must never claim every pod in its namespace).
func selectorOf(rs *appsv1.ReplicaSet) (labels.Selector, error) {
	if rs.Spec.Selector == nil {
		return labels.Nothing(), nil
	}
	sel, err := metav1.LabelSelectorAsSelector(rs.Spec.Selector)
	if err != nil {
		return nil, err
	}
	if sel.Empty() {
		return labels.Nothing(), nil
	}
	return sel, nil
}
