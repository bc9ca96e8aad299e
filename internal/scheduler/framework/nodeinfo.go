package framework

import (
	"strings"

	v1 "k8s.io/api/core/v1"
)

// NodeInfo is a node with the pods on it (bound or assumed) and their
// sums. The cache never changes a NodeInfo a snapshot may hold: it
// changes a Clone and swaps it in, so a cycle reads a stable view.
type NodeInfo struct {
	Node *v1.Node
	Pods []*PodInfo
	// PodsWithAffinity have any pod (anti-)affinity term;
	// PodsWithRequiredAntiAffinity have a required anti-affinity term.
	PodsWithAffinity             []*PodInfo
	PodsWithRequiredAntiAffinity []*PodInfo
	Allocatable                  *Resource
	Requested                    *Resource
	NonZeroRequested             *Resource
	UsedPorts                    HostPorts
	// Images maps each normalised image name on the node to its size.
	Images map[string]int64
}

// NewNodeInfo is an empty NodeInfo for node (which may be nil while
// only pods are known).
func NewNodeInfo(node *v1.Node) *NodeInfo {
	n := &NodeInfo{Requested: &Resource{}, NonZeroRequested: &Resource{}, Allocatable: &Resource{}, UsedPorts: HostPorts{}}
	if node != nil {
		n.SetNode(node)
	}
	return n
}

// Name is the node's name ("" before the node is known).
func (n *NodeInfo) Name() string {
	if n.Node == nil {
		return ""
	}
	return n.Node.Name
}

// SetNode replaces the node object.
func (n *NodeInfo) SetNode(node *v1.Node) {
	n.Node = node
	n.Allocatable = NewResource(node.Status.Allocatable)
	n.Images = map[string]int64{}
	for _, img := range node.Status.Images {
		for _, name := range img.Names {
			n.Images[NormalizedImageName(name)] = img.SizeBytes
		}
	}
}

// Clone copies the NodeInfo so the copy can be changed; the pods
// themselves are shared (they are never changed in place).
func (n *NodeInfo) Clone() *NodeInfo {
	c := &NodeInfo{
		Node:                         n.Node,
		Pods:                         append([]*PodInfo(nil), n.Pods...),
		PodsWithAffinity:             append([]*PodInfo(nil), n.PodsWithAffinity...),
		PodsWithRequiredAntiAffinity: append([]*PodInfo(nil), n.PodsWithRequiredAntiAffinity...),
		Allocatable:                  n.Allocatable,
		Requested:                    n.Requested.Clone(),
		NonZeroRequested:             n.NonZeroRequested.Clone(),
		UsedPorts:                    n.UsedPorts.Clone(),
		Images:                       n.Images,
	}
	return c
}

// AddPod counts pi on the node.
func (n *NodeInfo) AddPod(pi *PodInfo) {
	n.Pods = append(n.Pods, pi)
	if pi.HasAffinity() {
		n.PodsWithAffinity = append(n.PodsWithAffinity, pi)
	}
	if len(pi.RequiredAntiAffinityTerms) > 0 {
		n.PodsWithRequiredAntiAffinity = append(n.PodsWithRequiredAntiAffinity, pi)
	}
	n.Requested.AddResource(pi.Requests, 1)
	n.NonZeroRequested.AddResource(pi.NonZeroRequests, 1)
	n.UsedPorts.AddPod(pi.Pod)
}

// RemovePod uncounts the pod with uid; false if it was not there.
func (n *NodeInfo) RemovePod(uid string) bool {
	idx := -1
	for i, p := range n.Pods {
		if string(p.Pod.UID) == uid {
			idx = i
			break
		}
	}
	if idx < 0 {
		return false
	}
	pi := n.Pods[idx]
	n.Pods = append(n.Pods[:idx], n.Pods[idx+1:]...)
	n.PodsWithAffinity = removeInfo(n.PodsWithAffinity, pi)
	n.PodsWithRequiredAntiAffinity = removeInfo(n.PodsWithRequiredAntiAffinity, pi)
	n.Requested.AddResource(pi.Requests, -1)
	n.NonZeroRequested.AddResource(pi.NonZeroRequests, -1)
	n.UsedPorts.RemovePod(pi.Pod)
	return true
}

func removeInfo(list []*PodInfo, pi *PodInfo) []*PodInfo {
	for i, p := range list {
		if p == pi {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

// NormalizedImageName adds ":latest" to an image name with neither tag
// nor digest, as the kubelet reports and upstream's ImageLocality does.
func NormalizedImageName(name string) string {
	if strings.LastIndex(name, ":") <= strings.LastIndex(name, "/") && !strings.Contains(name, "@") {
		name += ":latest"
	}
	return name
}
