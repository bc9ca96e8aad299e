package framework

import (
	"context"

	v1 "k8s.io/api/core/v1"
)

// MaxNodeScore is the top of every plugin's normalised score range.
const MaxNodeScore int64 = 100

// Plugin is anything with a name; it implements one or more of the
// extension points below.
type Plugin interface {
	Name() string
}

// PreFilterPlugin computes per-pod data once before nodes are filtered;
// Unschedulable here rejects the pod on every node, Skip turns its Filter
// off for this pod.
type PreFilterPlugin interface {
	Plugin
	PreFilter(ctx context.Context, state *CycleState, pod *v1.Pod) *Status
}

// FilterPlugin decides whether pod may run on one node. It is called
// concurrently for different nodes: it must only read state.
type FilterPlugin interface {
	Plugin
	Filter(ctx context.Context, state *CycleState, pod *v1.Pod, node *NodeInfo) *Status
}

// PreScorePlugin computes per-pod data once for the feasible nodes.
type PreScorePlugin interface {
	Plugin
	PreScore(ctx context.Context, state *CycleState, pod *v1.Pod, nodes []*NodeInfo) *Status
}

// ScorePlugin ranks a feasible node; called concurrently for different
// nodes.
type ScorePlugin interface {
	Plugin
	Score(ctx context.Context, state *CycleState, pod *v1.Pod, node *NodeInfo) (int64, *Status)
}

// ScoreNormalizer maps a ScorePlugin's raw scores to 0..MaxNodeScore.
// Plugins whose Score already returns 0..100 do not implement it.
type ScoreNormalizer interface {
	NormalizeScore(ctx context.Context, state *CycleState, pod *v1.Pod, scores []NodeScore) *Status
}

// PreBindPlugin does API work for a chosen node before the binding (a
// PVC's selected-node annotation).
type PreBindPlugin interface {
	Plugin
	PreBind(ctx context.Context, state *CycleState, pod *v1.Pod, nodeName string) *Status
}

// NodeScore is one node's score.
type NodeScore struct {
	Name  string
	Score int64
}

// EnqueueExtensions says which cluster events may make a pod that this
// plugin rejected schedulable, so the queue moves only those pods.
type EnqueueExtensions interface {
	EventsToRegister() []ClusterEvent
}
