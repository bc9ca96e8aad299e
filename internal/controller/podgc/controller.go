package podgc

import (
	"context"
	"encoding/json"
	"time"

	"github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/controller"
)

// Options are the collector's knobs; zero values take upstream's.
type Options struct {
	// TerminatedPodThreshold: terminated pods kept (0: 12500; negative:
	// never collect them).
	TerminatedPodThreshold int
	// Period between passes (20s); Quarantine, how long a node must be
	// missing before its pods go (40s).
	Period, Quarantine time.Duration
}

func (o Options) withDefaults() Options {
	if o.TerminatedPodThreshold == 0 {
		o.TerminatedPodThreshold = 12500
	}
	if o.Period == 0 {
		o.Period = 20 * time.Second
	}
	if o.Quarantine == 0 {
		o.Quarantine = 40 * time.Second
	}
	return o
}

// Controller is the pod garbage collector.
type Controller struct {
	client kubernetes.Interface
	pods   corelisters.PodLister
	nodes  corelisters.NodeLister
	synced []cache.InformerSynced
	opts   Options
	log    *logrus.Entry

	missingSince map[string]time.Time // only touched by the one pass at a time
}

// New builds the collector on cc's informers.
func New(cc controller.Context, opts Options) *Controller {
	pods := cc.Informers.Core().V1().Pods()
	nodes := cc.Informers.Core().V1().Nodes()
	return &Controller{
		client:       cc.Client,
		pods:         pods.Lister(),
		nodes:        nodes.Lister(),
		synced:       []cache.InformerSynced{pods.Informer().HasSynced, nodes.Informer().HasSynced},
		opts:         opts.withDefaults(),
		log:          logrus.WithField("component", "pod-garbage-collector"),
		missingSince: map[string]time.Time{},
	}
}

// Run implements controller.Controller; passes are sequential whatever
// workers says.
func (c *Controller) Run(ctx context.Context, _ int) {
	if !cache.WaitForNamedCacheSync("pod-garbage-collector", ctx.Done(), c.synced...) {
		return
	}
	wait.UntilWithContext(ctx, c.pass, c.opts.Period)
}

// pass is one collection.
func (c *Controller) pass(ctx context.Context) {
	pods, err := c.pods.List(labels.Everything())
	if err != nil {
		return
	}
	for _, p := range overThreshold(pods, c.opts.TerminatedPodThreshold) {
		c.delete(ctx, p, "")
	}
	exists := func(name string) bool { _, err := c.nodes.Get(name); return err == nil }
	gone := map[string]bool{}
	for _, n := range missingNodes(pods, exists, c.missingSince, time.Now(), c.opts.Quarantine) {
		// The cache may be behind a node just created: ask.
		_, err := c.client.CoreV1().Nodes().Get(ctx, n, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			gone[n] = true
			delete(c.missingSince, n)
		}
	}
	for _, p := range pods {
		if gone[p.Spec.NodeName] {
			c.delete(ctx, p, messageNodeGone)
		}
	}
	for _, p := range unscheduledTerminating(pods) {
		c.delete(ctx, p, "")
	}
	node := func(name string) *corev1.Node { n, _ := c.nodes.Get(name); return n }
	for _, p := range outOfService(pods, node) {
		c.delete(ctx, p, messageOutOfService)
	}
}

// delete force-deletes pod, first marking it Failed with why when message
// is set.
func (c *Controller) delete(ctx context.Context, pod *corev1.Pod, message string) {
	log := c.log.WithFields(logrus.Fields{"pod": pod.Name, "namespace": pod.Namespace})
	if message != "" {
		if status, ok := failedStatus(pod, message, time.Now()); ok {
			patch, _ := json.Marshal(map[string]any{"status": map[string]any{"phase": status.Phase, "conditions": status.Conditions}})
			_, err := c.client.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{}, "status")
			if err != nil && !apierrors.IsNotFound(err) {
				log.WithError(err).Warn("marking the pod failed")
				return
			}
		}
	}
	zero := int64(0)
	uid := pod.UID
	err := c.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &uid}})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		log.WithError(err).Warn("deleting the pod")
		return
	}
	log.Debug("collected")
}
