package ttlafterfinished

import (
	"context"
	"time"

	"github.com/sirupsen/logrus"
	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	batchlisters "k8s.io/client-go/listers/batch/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/controller"
)

// Name is the controller's component name (and its service account).
const Name = "ttl-after-finished-controller"

// propagation is how the Job's pods go: foreground, as upstream, so the
// Job stays (with a deletionTimestamp) until the garbage collector has
// removed its pods, and nothing is left behind if the cleanup stops.
var propagation = metav1.DeletePropagationForeground

// Controller deletes finished Jobs whose TTL has run out.
type Controller struct {
	client kubernetes.Interface
	jobs   batchlisters.JobLister
	synced cache.InformerSynced
	loop   *controller.Loop
	// now is the clock (tests replace it).
	now func() time.Time
	log *logrus.Entry
}

// New builds the controller on c's Job informer.
func New(c controller.Context) (*Controller, error) {
	jobs := c.Informers.Batch().V1().Jobs()
	tc := &Controller{
		client: c.Client,
		jobs:   jobs.Lister(),
		synced: jobs.Informer().HasSynced,
		now:    time.Now,
		log:    logrus.WithField("component", Name),
	}
	tc.loop = controller.NewLoop(Name, tc.sync)
	enqueue := func(obj any) {
		if job, ok := obj.(*batchv1.Job); ok && NeedsCleanup(job) {
			tc.loop.Add(job)
		}
	}
	_, _ = jobs.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, obj any) { enqueue(obj) },
	})
	return tc, nil
}

// Run implements controller.Controller.
func (tc *Controller) Run(ctx context.Context, workers int) {
	tc.loop.Run(ctx, workers, tc.synced)
}

func (tc *Controller) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	cached, err := tc.jobs.Jobs(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if expired, err := tc.expired(key, cached); err != nil || !expired {
		return err
	}
	// The cache says the TTL ran out, but it may be stale: the TTL may
	// have been raised meanwhile. Decide again on the live Job.
	fresh, err := tc.client.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if expired, err := tc.expired(key, fresh); err != nil || !expired {
		return err
	}
	policy := propagation
	err = tc.client.BatchV1().Jobs(ns).Delete(ctx, name, metav1.DeleteOptions{
		PropagationPolicy: &policy,
		Preconditions:     &metav1.Preconditions{UID: &fresh.UID},
	})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		// Gone already, or replaced by a Job with a new UID (whose own
		// event brings it back here).
		return nil
	}
	if err == nil {
		tc.log.WithField("job", key).Debug("deleted finished job after its TTL")
	}
	return err
}

// expired says whether job's TTL has run out; if it has not, the key is
// queued again for when it will.
func (tc *Controller) expired(key string, job *batchv1.Job) (bool, error) {
	if !NeedsCleanup(job) {
		return false, nil
	}
	now := tc.now()
	left, err := TimeLeft(job, now)
	if err != nil {
		return false, err
	}
	if left > 0 {
		if finished, _ := FinishTime(job); finished.After(now) {
			tc.log.WithField("job", key).Warn("job finished in the future: clock skew in the cluster? its cleanup waits")
		}
		tc.loop.Queue.AddAfter(key, left)
		return false, nil
	}
	return true, nil
}
