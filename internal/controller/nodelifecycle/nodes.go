package nodelifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/flowcontrol"
	"k8s.io/client-go/util/retry"
)

// monitor looks at the zones, then has every node looked at.
func (c *Controller) monitor(context.Context) {
	nodes, err := c.nodes.List(labels.Everything())
	if err != nil {
		return
	}
	c.updateZones(nodes)
	for _, n := range nodes {
		c.nodeLoop.Queue.Add(n.Name)
	}
}

// updateZones recomputes the zones' states: the disruption mode and each
// zone's tainting rate. It returns the states.
func (c *Controller) updateZones(nodes []*corev1.Node) (map[string]zoneState, map[string]int) {
	states, sizes := zoneStates(nodes, c.opts.UnhealthyZoneThreshold)
	c.mu.Lock()
	defer c.mu.Unlock()
	disrupted := allFullyDisrupted(states)
	if disrupted != c.masterDisruption {
		if disrupted {
			c.log.Warn("no node is ready: the control plane is likely cut off from them; no node is tainted NoExecute until one is back")
		} else {
			c.log.Info("a node is ready again: tainting resumes")
		}
		c.masterDisruption = disrupted
	}
	for zone, state := range states {
		rate := evictionRate(state, sizes[zone], c.opts)
		if l, ok := c.limiters[zone]; ok && l.rate == rate {
			continue
		}
		l := &zoneLimiter{rate: rate}
		if rate > 0 {
			l.limiter = flowcontrol.NewTokenBucketRateLimiter(float32(rate), 1)
		}
		c.limiters[zone] = l
	}
	return states, sizes
}

// noExecuteMode decides whether node may be given the NoExecute taint
// desired holds: not while every zone is disrupted; else at its zone's
// rate (asked once per sync: granted says whether it was already).
func (c *Controller) noExecuteMode(node *corev1.Node, desired []corev1.Taint, granted *bool) noExecuteMode {
	c.mu.Lock()
	disrupted := c.masterDisruption
	c.mu.Unlock()
	if disrupted {
		return removeNoExecute
	}
	if *granted || !addsNoExecute(node.Spec.Taints, desired) {
		return addNoExecute
	}
	// A node about to be tainted: look at the zones as they are now,
	// with this node's fresh status.
	nodes, err := c.nodes.List(labels.Everything())
	if err != nil {
		return keepNoExecute
	}
	for i, n := range nodes {
		if n.Name == node.Name {
			nodes[i] = node
		}
	}
	if states, _ := c.updateZones(nodes); allFullyDisrupted(states) {
		return removeNoExecute
	}
	c.mu.Lock()
	l := c.limiters[zoneKey(node)]
	c.mu.Unlock()
	if l == nil || l.limiter == nil || !l.limiter.TryAccept() {
		c.nodeLoop.Queue.AddAfter(node.Name, time.Second)
		return keepNoExecute
	}
	*granted = true
	return addNoExecute
}

// syncNode checks one node's heartbeats, then its taints, then, when it is
// not ready, its pods' readiness.
func (c *Controller) syncNode(ctx context.Context, name string) error {
	node, err := c.nodes.Get(name)
	if apierrors.IsNotFound(err) {
		c.mu.Lock()
		delete(c.health, name)
		for k := range c.taintSeen {
			if strings.HasPrefix(k, name+"|") {
				delete(c.taintSeen, k)
			}
		}
		c.mu.Unlock()
		return nil
	}
	if err != nil {
		return err
	}
	lease, _ := c.leases.Leases(corev1.NamespaceNodeLease).Get(name)
	now := c.now()
	c.mu.Lock()
	h := observe(c.health[name], node, lease, now)
	c.health[name] = h
	c.mu.Unlock()

	if expired(h, node, now, c.opts.GracePeriod, c.opts.StartupGracePeriod) {
		if node, err = c.markUnknown(ctx, node, now); err != nil {
			return err
		}
	}
	if err := c.taint(ctx, node); err != nil {
		return err
	}
	if readyStatus(node) != corev1.ConditionTrue {
		return c.markPodsNotReady(ctx, node)
	}
	// Not overdue yet: look again when it would be.
	if d := h.probe.Add(c.opts.GracePeriod).Sub(now); d > 0 {
		c.nodeLoop.Queue.AddAfter(name, d+time.Second)
	}
	return nil
}

// markUnknown writes the Unknown conditions of a silent node and returns
// the node as written.
func (c *Controller) markUnknown(ctx context.Context, node *corev1.Node, now time.Time) (*corev1.Node, error) {
	status, changed := markUnknown(node, now)
	if !changed {
		return node, nil
	}
	updated := node.DeepCopy()
	updated.Status = status
	out, err := c.client.CoreV1().Nodes().UpdateStatus(ctx, updated, metav1.UpdateOptions{})
	if err != nil {
		return nil, fmt.Errorf("marking node %s Unknown: %w", node.Name, err)
	}
	c.log.WithField("node", node.Name).Info("node stopped posting status: marked Unknown")
	c.recorder.Eventf(node, corev1.EventTypeNormal, "NodeNotReady", "Node %s status is now: NodeNotReady", node.Name)
	return out, nil
}

// taint makes the node's managed taints match its conditions.
func (c *Controller) taint(ctx context.Context, node *corev1.Node) error {
	granted := false
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		taints, _ := desiredTaints(node, c.now())
		taints = limitNoExecute(node.Spec.Taints, taints, c.noExecuteMode(node, taints, &granted))
		if apiequality.Semantic.DeepEqual(taints, node.Spec.Taints) || (len(taints) == 0 && len(node.Spec.Taints) == 0) {
			return nil
		}
		updated := node.DeepCopy()
		updated.Spec.Taints = taints
		_, err := c.client.CoreV1().Nodes().Update(ctx, updated, metav1.UpdateOptions{})
		if apierrors.IsConflict(err) {
			fresh, getErr := c.client.CoreV1().Nodes().Get(ctx, node.Name, metav1.GetOptions{})
			if getErr != nil {
				return getErr
			}
			node = fresh
		}
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	})
}

// markPodsNotReady sets Ready False on the pods of a node that is not
// ready, as upstream: services stop sending them traffic.
func (c *Controller) markPodsNotReady(ctx context.Context, node *corev1.Node) error {
	objs, err := c.podIndex.ByIndex(podsByNode, node.Name)
	if err != nil {
		return err
	}
	now := metav1.NewTime(c.now())
	for _, obj := range objs {
		pod := obj.(*corev1.Pod)
		if !podReady(pod) || pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
			continue
		}
		patch, _ := json.Marshal(map[string]any{"status": map[string]any{"conditions": []corev1.PodCondition{
			{Type: corev1.PodReady, Status: corev1.ConditionFalse, LastTransitionTime: now},
		}}})
		_, err := c.client.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{}, "status")
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("marking pod %s/%s not ready: %w", pod.Namespace, pod.Name, err)
		}
	}
	return nil
}

func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
