package framework

import "k8s.io/apimachinery/pkg/labels"

// Snapshot is the cluster as one scheduling cycle sees it: every node
// with its pods, plus indexes plugins ask for. It is never changed after
// it is made.
type Snapshot struct {
	Nodes []*NodeInfo
	// index maps a node name to its position in Nodes; imageNodes counts
	// the nodes holding each image. Both may be shared with the cache,
	// which replaces rather than changes them.
	index      map[string]int
	imageNodes map[string]int
	// HavePodsWithAffinity / HavePodsWithRequiredAntiAffinity are the
	// nodes with such pods, so affinity plugins skip the rest.
	HavePodsWithAffinity             []*NodeInfo
	HavePodsWithRequiredAntiAffinity []*NodeInfo
	// Nominated are pending pods nominated to each node by preemption:
	// the scheduler filters lower-priority pods as if they were there.
	Nominated map[string][]*PodInfo
	// NamespaceLabels returns a namespace's labels, for affinity terms
	// with a namespaceSelector; nil means no labels are known.
	NamespaceLabels func(namespace string) labels.Set
}

// NewSnapshot indexes nodes (only those whose Node object is known).
func NewSnapshot(nodes []*NodeInfo) *Snapshot {
	var known []*NodeInfo
	index := make(map[string]int, len(nodes))
	images := map[string]int{}
	for _, n := range nodes {
		if n.Node == nil {
			continue
		}
		index[n.Node.Name] = len(known)
		known = append(known, n)
		for img := range n.Images {
			images[img]++
		}
	}
	return NewIndexedSnapshot(known, index, images)
}

// NewIndexedSnapshot wraps nodes (all with a Node object) with indexes
// the caller built and will not change: the cache's fast path, which
// keeps them up to date as nodes come and go instead of rebuilding them
// for every pod.
func NewIndexedSnapshot(nodes []*NodeInfo, index map[string]int, imageNodes map[string]int) *Snapshot {
	s := &Snapshot{Nodes: nodes, index: index, imageNodes: imageNodes}
	for _, n := range nodes {
		if len(n.PodsWithAffinity) > 0 {
			s.HavePodsWithAffinity = append(s.HavePodsWithAffinity, n)
		}
		if len(n.PodsWithRequiredAntiAffinity) > 0 {
			s.HavePodsWithRequiredAntiAffinity = append(s.HavePodsWithRequiredAntiAffinity, n)
		}
	}
	return s
}

// Get returns the named node, or nil.
func (s *Snapshot) Get(name string) *NodeInfo {
	if i, ok := s.index[name]; ok {
		return s.Nodes[i]
	}
	return nil
}

// ImageNodes is how many nodes hold image (a normalised name).
func (s *Snapshot) ImageNodes(image string) int { return s.imageNodes[image] }

// NamespaceLabelsOf is NamespaceLabels, safe when it is unset.
func (s *Snapshot) NamespaceLabelsOf(ns string) labels.Set {
	if s == nil || s.NamespaceLabels == nil {
		return nil
	}
	return s.NamespaceLabels(ns)
}
