package job

import (
	"context"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	batchlisters "k8s.io/client-go/listers/batch/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"

	"github.com/hanok-dev/hanok/internal/controller"
	"github.com/hanok-dev/hanok/internal/controller/ownedpods"
)

var jobKind = batchv1.SchemeGroupVersion.WithKind("Job")

// orphanPrefix marks a queue key that is a pod holding the tracking
// finalizer for a Job that is gone: the finalizer must go too.
const orphanPrefix = "pod:"

// Upstream's pod replacement back-off after failures.
const (
	DefaultBackoff    = 10 * time.Second
	DefaultMaxBackoff = 6 * time.Minute
)

// Controller runs Jobs.
type Controller struct {
	client       kubernetes.Interface
	jobs         batchlisters.JobLister
	pods         corelisters.PodLister
	synced       []cache.InformerSynced
	expectations *ownedpods.Expectations
	released     releasedPods
	recorder     record.EventRecorder
	loop         *controller.Loop
	log          *logrus.Entry
	now          func() time.Time
	backoff      time.Duration
	maxBackoff   time.Duration
}

// New is the Job controller (service account job-controller).
func New(c controller.Context) (*Controller, error) {
	jobs := c.Informers.Batch().V1().Jobs()
	pods := c.Informers.Core().V1().Pods()
	jc := &Controller{
		client:       c.Client,
		jobs:         jobs.Lister(),
		pods:         pods.Lister(),
		synced:       []cache.InformerSynced{jobs.Informer().HasSynced, pods.Informer().HasSynced},
		expectations: ownedpods.NewExpectations(),
		recorder:     c.Recorder,
		log:          logrus.WithField("component", "job-controller"),
		now:          time.Now,
		backoff:      DefaultBackoff,
		maxBackoff:   DefaultMaxBackoff,
	}
	jc.loop = controller.NewLoop("job-controller", jc.sync)
	_, _ = jobs.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    jc.loop.Add,
		UpdateFunc: func(_, cur any) { jc.loop.Add(cur) },
		DeleteFunc: func(obj any) {
			if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
				jc.expectations.Delete(key)
				jc.released.forget(key)
			}
			jc.loop.Add(obj)
		},
	})
	_, _ = pods.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    jc.addPod,
		UpdateFunc: jc.updatePod,
		DeleteFunc: jc.deletePod,
	})
	return jc, nil
}

// Run implements controller.Controller.
func (jc *Controller) Run(ctx context.Context, workers int) {
	jc.loop.Run(ctx, workers, jc.synced...)
}

// owner is the key of the Job controlling pod, if it exists and is still
// the same object.
func (jc *Controller) owner(pod *corev1.Pod) (string, bool) {
	ref := metav1.GetControllerOfNoCopy(pod)
	if ref == nil || ref.Kind != jobKind.Kind {
		return "", false
	}
	job, err := jc.jobs.Jobs(pod.Namespace).Get(ref.Name)
	if err != nil || job.UID != ref.UID {
		return "", false
	}
	return job.Namespace + "/" + job.Name, true
}

func (jc *Controller) addPod(obj any) {
	pod := obj.(*corev1.Pod)
	if pod.DeletionTimestamp != nil {
		jc.deletePod(pod)
		return
	}
	if key, ok := jc.owner(pod); ok {
		jc.expectations.CreationObserved(key)
		jc.loop.Queue.Add(key)
		return
	}
	jc.checkOrphan(pod)
}

func (jc *Controller) updatePod(oldObj, curObj any) {
	old, cur := oldObj.(*corev1.Pod), curObj.(*corev1.Pod)
	if old.ResourceVersion == cur.ResourceVersion {
		return
	}
	if cur.DeletionTimestamp != nil && old.DeletionTimestamp == nil {
		if key, ok := jc.owner(cur); ok {
			jc.expectations.DeletionObserved(key, cur.Namespace+"/"+cur.Name)
		}
	}
	if oldKey, ok := jc.owner(old); ok {
		jc.loop.Queue.Add(oldKey)
	}
	if key, ok := jc.owner(cur); ok {
		jc.loop.Queue.Add(key)
		return
	}
	jc.checkOrphan(cur)
}

func (jc *Controller) deletePod(obj any) {
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
	if key, ok := jc.owner(pod); ok {
		jc.expectations.DeletionObserved(key, pod.Namespace+"/"+pod.Name)
		jc.loop.Queue.Add(key)
	}
}

// checkOrphan queues a pod that holds the tracking finalizer but has no
// Job any more.
func (jc *Controller) checkOrphan(pod *corev1.Pod) {
	if hasFinalizer(pod) {
		jc.loop.Queue.Add(orphanPrefix + pod.Namespace + "/" + pod.Name)
	}
}

func isOrphanKey(key string) (string, bool) { return strings.CutPrefix(key, orphanPrefix) }
