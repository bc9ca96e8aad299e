package nodestatus

import (
	"context"
	"errors"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// Run renews the node Lease (every 10s, 40s duration) and posts the node
// status (checked every 10s, posted when it changed or 5 minutes after the
// last post, as upstream's nodeStatusReportFrequency) until ctx ends.
// A Node deleted under a running kubelet is registered again.
func Run(ctx context.Context, cfg Config) error {
	cfg = cfg.withDefaults()
	if cfg.NodeName == "" || cfg.Client == nil {
		return errors.New("nodestatus: NodeName and Client are required")
	}
	r := &runner{cfg: cfg, leaser: leaser{cfg: cfg}}
	r.syncStatus(ctx) // first, so the Lease gets its owner right away

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); r.loop(ctx, cfg.leaseInterval, r.renewLease) }()
	go func() {
		defer wg.Done()
		r.loop(ctx, cfg.statusInterval, func(ctx context.Context) error { r.syncStatus(ctx); return nil })
	}()
	wg.Wait()
	return nil
}

type runner struct {
	cfg    Config
	leaser leaser

	mu         sync.Mutex
	node       *v1.Node // as last read or written: its UID owns the Lease
	lastReport time.Time
}

// loop runs f now and every interval; after a failure it retries sooner,
// backing off from 200ms to 7s, as upstream's lease controller does.
func (r *runner) loop(ctx context.Context, interval time.Duration, f func(context.Context) error) {
	const minRetry, maxRetry = 200 * time.Millisecond, 7 * time.Second
	retry := minRetry
	for {
		wait := interval
		if err := f(ctx); err != nil && ctx.Err() == nil {
			wait = min(retry, interval)
			retry = min(retry*2, maxRetry)
		} else {
			retry = minRetry
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

func (r *runner) nodeUID() types.UID {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.node == nil {
		return ""
	}
	return r.node.UID
}

func (r *runner) renewLease(ctx context.Context) error {
	err := r.leaser.renew(ctx, r.nodeUID())
	if err != nil && ctx.Err() == nil {
		log.WithField("node", r.cfg.NodeName).WithError(err).Warn("renewing node lease")
	}
	return err
}

// syncStatus posts the status when it changed or is due. Like upstream
// it reads the Node every time (from the API server's cache first, fresh
// after a conflict), so it notices a deleted Node or someone else's write.
func (r *runner) syncStatus(ctx context.Context) {
	const attempts = 5 // upstream's nodeStatusUpdateRetry
	for i := 0; i < attempts && ctx.Err() == nil; i++ {
		err := r.trySyncStatus(ctx, i == 0)
		if err == nil {
			return
		}
		if ctx.Err() == nil {
			log.WithField("node", r.cfg.NodeName).WithError(err).Warn("updating node status")
		}
	}
}

func (r *runner) trySyncStatus(ctx context.Context, cached bool) error {
	nodes := r.cfg.Client.CoreV1().Nodes()
	opts := metav1.GetOptions{}
	if cached {
		opts.ResourceVersion = "0"
	}
	node, err := nodes.Get(ctx, r.cfg.NodeName, opts)
	if apierrors.IsNotFound(err) {
		log.WithField("node", r.cfg.NodeName).Warn("node object is gone; registering again")
		node, err = register(ctx, r.cfg)
		if err == nil {
			r.store(node, time.Now())
		}
		return err
	}
	if err != nil {
		return err
	}
	r.mu.Lock()
	lastReport := r.lastReport
	r.mu.Unlock()
	now := metav1.Now()
	st := buildStatus(node.Status, observe(ctx, r.cfg), r.cfg.Port, now)
	if !statusChanged(node.Status, st) && now.Sub(lastReport) < r.cfg.reportInterval {
		r.store(node, lastReport)
		return nil
	}
	next := node.DeepCopy()
	next.Status = st
	updated, err := nodes.UpdateStatus(ctx, next, metav1.UpdateOptions{})
	if err != nil {
		return err
	}
	r.store(updated, now.Time)
	return nil
}

func (r *runner) store(node *v1.Node, lastReport time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.node, r.lastReport = node, lastReport
}
