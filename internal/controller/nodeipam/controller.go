package nodeipam

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"sync"

	"github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"

	"github.com/hanok-dev/hanok/internal/controller"
)

// Controller hands out node CIDRs.
type Controller struct {
	client   kubernetes.Interface
	nodes    corelisters.NodeLister
	synced   cache.InformerSynced
	recorder record.EventRecorder
	loop     *controller.Loop
	log      *logrus.Entry

	mu     sync.Mutex
	set    *cidrSet
	byNode map[string]netip.Prefix // what each node has, or is being given
}

// New builds the allocator for cluster, handing out /maskSize ranges.
func New(cc controller.Context, cluster *net.IPNet, maskSize int) (*Controller, error) {
	set, err := newCIDRSet(cluster, maskSize)
	if err != nil {
		return nil, fmt.Errorf("node IPAM: %w", err)
	}
	informer := cc.Informers.Core().V1().Nodes()
	c := &Controller{
		client:   cc.Client,
		nodes:    informer.Lister(),
		synced:   informer.Informer().HasSynced,
		recorder: cc.Recorder,
		log:      logrus.WithField("component", "node-ipam-controller"),
		set:      set,
		byNode:   map[string]netip.Prefix{},
	}
	c.loop = controller.NewLoop("node-ipam-controller", c.sync)
	_, _ = informer.Informer().AddEventHandler(c.loop.Handlers())
	return c, nil
}

// Run implements controller.Controller: every existing node's range is
// marked used before any node is synced.
func (c *Controller) Run(ctx context.Context, workers int) {
	if !cache.WaitForNamedCacheSync("node-ipam-controller", ctx.Done(), c.synced) {
		return
	}
	nodes, err := c.nodes.List(labels.Everything())
	if err != nil {
		c.log.WithError(err).Error("listing nodes")
		return
	}
	c.mu.Lock()
	for _, n := range nodes {
		if p, ok := c.podCIDR(n); ok {
			c.take(n.Name, p)
		}
	}
	c.mu.Unlock()
	c.loop.Run(ctx, workers, c.synced)
}

// podCIDR is the node's range of the cluster CIDR's family, if it has one.
func (c *Controller) podCIDR(n *corev1.Node) (netip.Prefix, bool) {
	cidrs := n.Spec.PodCIDRs
	if len(cidrs) == 0 && n.Spec.PodCIDR != "" {
		cidrs = []string{n.Spec.PodCIDR}
	}
	for _, s := range cidrs {
		p, err := netip.ParsePrefix(s)
		if err == nil && p.Addr().Is4() == c.set.base.Addr().Is4() {
			return p, true
		}
	}
	return netip.Prefix{}, false
}

// take records that node has p (c.mu held).
func (c *Controller) take(node string, p netip.Prefix) {
	if old, ok := c.byNode[node]; ok && old != p {
		_ = c.set.release(old)
	}
	if err := c.set.occupy(p); err != nil {
		c.log.WithField("node", node).WithError(err).Warn("node has a range outside the cluster CIDR")
	}
	c.byNode[node] = p
}

// sync gives node key a range if it has none, and takes back the range of
// a node that is gone.
func (c *Controller) sync(ctx context.Context, key string) error {
	node, err := c.nodes.Get(key)
	c.mu.Lock()
	if apierrors.IsNotFound(err) {
		if p, ok := c.byNode[key]; ok {
			_ = c.set.release(p)
			delete(c.byNode, key)
			c.log.WithField("node", key).Debugf("released %s", p)
		}
		c.mu.Unlock()
		return nil
	}
	if err != nil {
		c.mu.Unlock()
		return err
	}
	if p, ok := c.podCIDR(node); ok {
		c.take(key, p)
		c.mu.Unlock()
		return nil
	}
	p, ok := c.byNode[key] // being given one already: the same again
	if !ok {
		p, err = c.set.allocate()
		if err != nil {
			c.mu.Unlock()
			c.recorder.Eventf(node, corev1.EventTypeNormal, "CIDRNotAvailable", "Node %s status is now: CIDRNotAvailable", key)
			return fmt.Errorf("node %s: %w", key, err)
		}
		c.byNode[key] = p
	}
	c.mu.Unlock()

	patch, _ := json.Marshal(map[string]any{
		"metadata": map[string]any{"uid": node.UID},
		"spec":     map[string]any{"podCIDR": p.String(), "podCIDRs": []string{p.String()}},
	})
	_, err = c.client.CoreV1().Nodes().Patch(ctx, key, types.MergePatchType, patch, metav1.PatchOptions{})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil // gone or replaced: its delete event releases the range
	}
	if err != nil {
		return err
	}
	c.log.WithField("node", key).Debugf("assigned %s", p)
	return nil
}
