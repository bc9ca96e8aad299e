package controller

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// Loop is a controller's work queue: keys ("namespace/name", or "name"
// for cluster-scoped objects) go in through Add and friends, and workers
// hand each to Sync. A key is never synced by two workers at once; a Sync
// error requeues it with per-key exponential back-off (5ms doubling to
// 1000s, as upstream's default) plus an overall 10 qps / 100 burst bucket.
type Loop struct {
	Name  string // the controller's name, for logs and the queue's metrics
	Sync  func(ctx context.Context, key string) error
	Queue workqueue.TypedRateLimitingInterface[string]
	// MaxRetries drops a key after this many failed syncs in a row (0:
	// never), so a permanently broken object does not retry for ever;
	// a later event for it enqueues it afresh.
	MaxRetries int
}

// NewLoop makes a loop for sync with upstream's default rate limiter.
func NewLoop(name string, sync func(ctx context.Context, key string) error) *Loop {
	return &Loop{
		Name: name,
		Sync: sync,
		Queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: name}),
	}
}

// Add enqueues obj's key (obj may be a cache.DeletedFinalStateUnknown).
func (l *Loop) Add(obj any) {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		utilruntime.HandleError(fmt.Errorf("%s: key of %T: %w", l.Name, obj, err))
		return
	}
	l.Queue.Add(key)
}

// AddAfter enqueues obj's key after d (minReadySeconds, deadlines).
func (l *Loop) AddAfter(obj any, d time.Duration) {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		utilruntime.HandleError(fmt.Errorf("%s: key of %T: %w", l.Name, obj, err))
		return
	}
	l.Queue.AddAfter(key, d)
}

// Handlers enqueue the object on every add, update and delete: the usual
// event handler for a controller's own kind.
func (l *Loop) Handlers() cache.ResourceEventHandlerFuncs {
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    l.Add,
		UpdateFunc: func(_, obj any) { l.Add(obj) },
		DeleteFunc: l.Add,
	}
}

// Run waits for synced, then runs workers goroutines until ctx ends, then
// shuts the queue down.
func (l *Loop) Run(ctx context.Context, workers int, synced ...cache.InformerSynced) {
	defer utilruntime.HandleCrash()
	defer l.Queue.ShutDown()
	log := logrus.WithField("component", l.Name)
	if !cache.WaitForNamedCacheSync(l.Name, ctx.Done(), synced...) {
		return
	}
	log.Debug("started")
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() { wait.UntilWithContext(ctx, l.work, time.Second) })
	}
	<-ctx.Done()
	// Run returns only once no sync is under way, so a controller whose
	// lease was lost writes nothing after (in-flight requests fail with
	// ctx): the new leader never races a straggler.
	l.Queue.ShutDown()
	wg.Wait()
	log.Debug("stopped")
}

func (l *Loop) work(ctx context.Context) {
	for l.next(ctx) {
	}
}

func (l *Loop) next(ctx context.Context) bool {
	key, quit := l.Queue.Get()
	if quit {
		return false
	}
	defer l.Queue.Done(key)
	err := l.Sync(ctx, key)
	switch {
	case err == nil:
		l.Queue.Forget(key)
	case l.MaxRetries > 0 && l.Queue.NumRequeues(key) >= l.MaxRetries:
		logrus.WithField("component", l.Name).WithError(err).Warnf("dropping %q after %d retries", key, l.MaxRetries)
		l.Queue.Forget(key)
	default:
		logrus.WithField("component", l.Name).WithError(err).Debugf("syncing %q, will retry", key)
		l.Queue.AddRateLimited(key)
	}
	return true
}
