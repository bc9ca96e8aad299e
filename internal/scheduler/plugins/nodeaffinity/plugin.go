package nodeaffinity

import (
	"context"

	v1 "k8s.io/api/core/v1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
)

// Name is the plugin's name.
const Name = "NodeAffinity"

// ErrReasonPod is upstream's reason.
const ErrReasonPod = "node(s) didn't match Pod's node affinity/selector"

const (
	filterKey framework.StateKey = Name + "/filter"
	scoreKey  framework.StateKey = Name + "/score"
)

// Plugin is the filter and score.
type Plugin struct{}

func (Plugin) Name() string { return Name }

// PreFilter parses the selector and required terms once, or skips a pod
// with neither.
func (Plugin) PreFilter(_ context.Context, state *framework.CycleState, pod *v1.Pod) *framework.Status {
	aff := pod.Spec.Affinity
	if len(pod.Spec.NodeSelector) == 0 && (aff == nil || aff.NodeAffinity == nil || aff.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil) {
		return framework.NewStatus(framework.Skip)
	}
	required := nodeaffinity.GetRequiredNodeAffinity(pod)
	state.Write(filterKey, &required)
	return nil
}

// Filter matches the node's labels and fields.
func (Plugin) Filter(_ context.Context, state *framework.CycleState, pod *v1.Pod, node *framework.NodeInfo) *framework.Status {
	required, ok := state.Read(filterKey).(*nodeaffinity.RequiredNodeAffinity)
	if !ok {
		r := nodeaffinity.GetRequiredNodeAffinity(pod)
		required = &r
	}
	match, err := required.Match(node.Node)
	if err != nil {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, err.Error())
	}
	if !match {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonPod)
	}
	return nil
}

// PreScore parses the preferred terms, or skips a pod without any.
func (Plugin) PreScore(_ context.Context, state *framework.CycleState, pod *v1.Pod, _ []*framework.NodeInfo) *framework.Status {
	aff := pod.Spec.Affinity
	if aff == nil || aff.NodeAffinity == nil || len(aff.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution) == 0 {
		return framework.NewStatus(framework.Skip)
	}
	terms, err := nodeaffinity.NewPreferredSchedulingTerms(aff.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution)
	if err != nil {
		return framework.AsStatus(err)
	}
	state.Write(scoreKey, terms)
	return nil
}

// Score sums the weights of the matching preferred terms.
func (Plugin) Score(_ context.Context, state *framework.CycleState, _ *v1.Pod, node *framework.NodeInfo) (int64, *framework.Status) {
	terms, ok := state.Read(scoreKey).(*nodeaffinity.PreferredSchedulingTerms)
	if !ok {
		return 0, nil
	}
	return terms.Score(node.Node), nil
}

// NormalizeScore scales the best node to 100.
func (Plugin) NormalizeScore(_ context.Context, _ *framework.CycleState, _ *v1.Pod, scores []framework.NodeScore) *framework.Status {
	framework.DefaultNormalizeScore(framework.MaxNodeScore, false, scores)
	return nil
}

// EventsToRegister: labels change with nodes.
func (Plugin) EventsToRegister() []framework.ClusterEvent {
	return []framework.ClusterEvent{framework.NodeAdd, framework.NodeUpdate}
}
