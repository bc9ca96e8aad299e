package cache

import (
	"fmt"
	"sync"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
)

type podState struct {
	pod     *v1.Pod
	assumed bool
}

// Cache is safe for concurrent use.
type Cache struct {
	mu sync.RWMutex
	// nodes holds every NodeInfo, including those known only from pods
	// (Node nil) until their node arrives.
	nodes map[string]*framework.NodeInfo
	// infos lists the NodeInfos with a Node object in a stable order (so
	// the scheduler's round-robin start means something); pos maps names
	// to positions and images counts nodes per image. pos and images are
	// replaced, never changed, so snapshots can share them.
	infos  []*framework.NodeInfo
	pos    map[string]int
	images map[string]int
	pods   map[types.UID]*podState
}

// New is an empty cache.
func New() *Cache {
	return &Cache{nodes: map[string]*framework.NodeInfo{}, pos: map[string]int{}, images: map[string]int{}, pods: map[types.UID]*podState{}}
}

// Snapshot is the cluster now; it does not change afterwards. It costs a
// copy of one pointer per node.
func (c *Cache) Snapshot() *framework.Snapshot {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return framework.NewIndexedSnapshot(append([]*framework.NodeInfo(nil), c.infos...), c.pos, c.images)
}

// writable returns a fresh clone of name's info, stored in place of the
// old one (which snapshots may still hold).
func (c *Cache) writable(name string) *framework.NodeInfo {
	old, ok := c.nodes[name]
	var n *framework.NodeInfo
	if ok {
		n = old.Clone()
	} else {
		n = framework.NewNodeInfo(nil)
	}
	c.nodes[name] = n
	if i, ok := c.pos[name]; ok {
		c.infos[i] = n
	}
	return n
}

// AddNode records a node (or replaces its object).
func (c *Cache) AddNode(node *v1.Node) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.writable(node.Name)
	oldImages := n.Images
	n.SetNode(node)
	c.countImages(oldImages, n.Images)
	if _, ok := c.pos[node.Name]; !ok {
		pos := clone(c.pos)
		pos[node.Name] = len(c.infos)
		c.pos = pos
		c.infos = append(c.infos, n)
	}
}

// UpdateNode replaces a node's object.
func (c *Cache) UpdateNode(node *v1.Node) { c.AddNode(node) }

// RemoveNode forgets a node. Its pods stay known (their deletions will
// follow) but no snapshot shows the node.
func (c *Cache) RemoveNode(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i, ok := c.pos[name]; ok {
		pos := clone(c.pos)
		last := len(c.infos) - 1
		c.infos[i] = c.infos[last]
		pos[c.infos[i].Name()] = i
		c.infos[last] = nil
		c.infos = c.infos[:last]
		delete(pos, name)
		c.pos = pos
	}
	n, ok := c.nodes[name]
	if !ok {
		return
	}
	c.countImages(n.Images, nil)
	if len(n.Pods) == 0 {
		delete(c.nodes, name)
		return
	}
	n = c.writable(name)
	n.Node, n.Images = nil, nil
}

// countImages moves one node's images from before to after in the
// per-image node counts, replacing the map only if something changed.
func (c *Cache) countImages(before, after map[string]int64) {
	changed := len(before) != len(after)
	for img := range after {
		if _, ok := before[img]; !ok {
			changed = true
			break
		}
	}
	if !changed {
		return
	}
	images := clone(c.images)
	for img := range before {
		if images[img]--; images[img] <= 0 {
			delete(images, img)
		}
	}
	for img := range after {
		images[img]++
	}
	c.images = images
}

func clone[V any](m map[string]V) map[string]V {
	out := make(map[string]V, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// AddPod records an assigned pod from the informer; it confirms the pod
// if it was assumed.
func (c *Cache) AddPod(pod *v1.Pod) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ps, ok := c.pods[pod.UID]; ok {
		// Assumed (or seen) already: replace it with the API's object.
		c.removeLocked(ps)
	}
	c.addLocked(pod, false)
}

// UpdatePod replaces an assigned pod.
func (c *Cache) UpdatePod(pod *v1.Pod) { c.AddPod(pod) }

// RemovePod forgets a pod (by UID, wherever the cache placed it).
func (c *Cache) RemovePod(pod *v1.Pod) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ps, ok := c.pods[pod.UID]; ok {
		c.removeLocked(ps)
	}
}

// AssumePod counts pod (whose spec.nodeName is set to the chosen node)
// on that node before the binding lands.
func (c *Cache) AssumePod(pod *v1.Pod) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.pods[pod.UID]; ok {
		return fmt.Errorf("pod %s/%s is already in the cache", pod.Namespace, pod.Name)
	}
	c.addLocked(pod, true)
	return nil
}

// ForgetPod drops an assumed pod whose binding failed.
func (c *Cache) ForgetPod(pod *v1.Pod) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ps, ok := c.pods[pod.UID]; ok && ps.assumed {
		c.removeLocked(ps)
	}
}

// IsAssumedOrBound says whether the cache already places pod.
func (c *Cache) IsAssumedOrBound(uid types.UID) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.pods[uid]
	return ok
}

func (c *Cache) addLocked(pod *v1.Pod, assumed bool) {
	c.writable(pod.Spec.NodeName).AddPod(framework.NewPodInfo(pod))
	c.pods[pod.UID] = &podState{pod: pod, assumed: assumed}
}

func (c *Cache) removeLocked(ps *podState) {
	delete(c.pods, ps.pod.UID)
	name := ps.pod.Spec.NodeName
	if _, ok := c.nodes[name]; !ok {
		return
	}
	n := c.writable(name)
	n.RemovePod(string(ps.pod.UID))
	if n.Node == nil && len(n.Pods) == 0 {
		delete(c.nodes, name)
	}
}

// Sizes reports counts, for logs and the bench tool.
func (c *Cache) Sizes() (nodes, pods int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.infos), len(c.pods)
}
