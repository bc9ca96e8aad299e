package nodestatus

import (
	"context"
	"errors"
	"fmt"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"
)

// Register creates the Node, or reconciles the labels, addresses and
// capacity of an existing one. It retries with back-off (the API server
// may still be starting) until it succeeds or ctx ends.
//
// An existing Node keeps every label and taint others added: only the
// labels this kubelet sets are written (NodeRestriction would refuse
// anything else), and taints are set at creation only, as upstream.
func Register(ctx context.Context, cfg Config) (*v1.Node, error) {
	cfg = cfg.withDefaults()
	if cfg.NodeName == "" || cfg.Client == nil {
		return nil, errors.New("nodestatus: NodeName and Client are required")
	}
	if r := RestrictedLabels(cfg); len(r) > 0 {
		log.WithField("node", cfg.NodeName).WithField("labels", r).
			Info("labels a node may not set on itself are left to ApplyRestrictedLabels")
	}
	var node *v1.Node
	backoff := wait.Backoff{Duration: 100 * time.Millisecond, Factor: 2, Steps: 1 << 30, Cap: 7 * time.Second}
	err := wait.ExponentialBackoffWithContext(ctx, backoff, func(ctx context.Context) (bool, error) {
		var err error
		node, err = register(ctx, cfg)
		if err != nil {
			log.WithField("node", cfg.NodeName).WithError(err).Warn("registering node; retrying")
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("registering node %s: %w", cfg.NodeName, err)
	}
	return node, nil
}

// register makes one attempt.
func register(ctx context.Context, cfg Config) (*v1.Node, error) {
	nodes := cfg.Client.CoreV1().Nodes()
	now := metav1.Now()
	obs := observe(ctx, cfg)
	want := &v1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: cfg.NodeName, Labels: SelfLabels(cfg)},
		Spec:       v1.NodeSpec{Taints: cfg.Taints},
		Status:     buildStatus(v1.NodeStatus{}, obs, cfg.Port, now),
	}
	created, err := nodes.Create(ctx, want, metav1.CreateOptions{})
	if err == nil {
		log.WithField("node", cfg.NodeName).Info("registered node")
		if len(created.Status.Capacity) > 0 {
			return created, nil
		}
		// A server that drops status on create: post it now.
		created.Status = want.Status
		return nodes.UpdateStatus(ctx, created, metav1.UpdateOptions{})
	}
	if !apierrors.IsAlreadyExists(err) {
		return nil, err
	}

	// Re-registration: our labels back to our values, then the status.
	var node *v1.Node
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := nodes.Get(ctx, cfg.NodeName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if mergeLabels(cur, want.Labels) {
			if cur, err = nodes.Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
				return err
			}
		}
		cur.Status = buildStatus(cur.Status, obs, cfg.Port, now)
		node, err = nodes.UpdateStatus(ctx, cur, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return nil, err
	}
	log.WithField("node", cfg.NodeName).Info("node already registered; reconciled")
	return node, nil
}
