package scheduler

import (
	"sync"

	v1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
)

// nominator remembers pending pods nominated to a node by preemption, so
// the room their victims free is kept for them: lower-priority pods are
// filtered as if the nominated pods were already there.
type nominator struct {
	mu     sync.Mutex
	byNode map[string]map[string]*framework.PodInfo // node -> pod key -> pod
	nodeOf map[string]string                        // pod key -> node
}

func newNominator() *nominator {
	return &nominator{byNode: map[string]map[string]*framework.PodInfo{}, nodeOf: map[string]string{}}
}

// set records pod's nomination (status.nominatedNodeName, or node when
// given), replacing any earlier one; an empty nomination forgets it.
func (n *nominator) set(pod *v1.Pod, node string) {
	if node == "" {
		node = pod.Status.NominatedNodeName
	}
	key := pod.Namespace + "/" + pod.Name
	n.mu.Lock()
	defer n.mu.Unlock()
	n.removeLocked(key)
	if node == "" || pod.Spec.NodeName != "" {
		return
	}
	if n.byNode[node] == nil {
		n.byNode[node] = map[string]*framework.PodInfo{}
	}
	n.byNode[node][key] = framework.NewPodInfo(pod)
	n.nodeOf[key] = node
}

// forget drops pod's nomination (bound or deleted).
func (n *nominator) forget(pod *v1.Pod) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.removeLocked(pod.Namespace + "/" + pod.Name)
}

func (n *nominator) removeLocked(key string) {
	node, ok := n.nodeOf[key]
	if !ok {
		return
	}
	delete(n.nodeOf, key)
	delete(n.byNode[node], key)
	if len(n.byNode[node]) == 0 {
		delete(n.byNode, node)
	}
}

// snapshot copies the nominations for one cycle.
func (n *nominator) snapshot() map[string][]*framework.PodInfo {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.byNode) == 0 {
		return nil
	}
	out := make(map[string][]*framework.PodInfo, len(n.byNode))
	for node, pods := range n.byNode {
		for _, p := range pods {
			out[node] = append(out[node], p)
		}
	}
	return out
}
