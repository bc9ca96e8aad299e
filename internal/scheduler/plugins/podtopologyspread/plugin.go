package podtopologyspread

import (
	"context"
	"math"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
)

// Name is the plugin's name.
const Name = "PodTopologySpread"

// Upstream's reasons.
const (
	ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints"
	ErrReasonNodeLabelNotMatch   = ErrReasonConstraintsNotMatch + " (missing required label)"
)

const (
	filterKey framework.StateKey = Name + "/filter"
	scoreKey  framework.StateKey = Name + "/score"
)

// Plugin is the filter and score. DefaultSelector, when set, turns on
// system default spreading.
type Plugin struct {
	DefaultSelector func(*v1.Pod) labels.Selector
}

func (*Plugin) Name() string { return Name }

type filterState struct {
	constraints []constraint
	counts      []map[string]int64 // per constraint: domain -> matching pods
	minMatch    []int64
}

// PreFilter counts matching pods per domain for DoNotSchedule constraints.
func (p *Plugin) PreFilter(_ context.Context, state *framework.CycleState, pod *v1.Pod) *framework.Status {
	cs, _, err := constraintsFor(pod, v1.DoNotSchedule, nil)
	if err != nil {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, err.Error())
	}
	if len(cs) == 0 {
		return framework.NewStatus(framework.Skip)
	}
	s := &filterState{constraints: cs, counts: make([]map[string]int64, len(cs)), minMatch: make([]int64, len(cs))}
	for i := range cs {
		s.counts[i] = map[string]int64{}
	}
	affinity := nodeaffinity.GetRequiredNodeAffinity(pod)
	for _, n := range state.Snapshot.Nodes {
		if !hasAllKeys(n.Node, cs) {
			continue
		}
		for i := range cs {
			if !cs[i].eligible(n.Node, pod, &affinity) {
				continue
			}
			s.counts[i][n.Node.Labels[cs[i].key]] += countMatching(n, pod.Namespace, cs[i].selector)
		}
	}
	for i := range cs {
		lo := int64(math.MaxInt64)
		for _, c := range s.counts[i] {
			lo = min(lo, c)
		}
		if lo == math.MaxInt64 || int32(len(s.counts[i])) < cs[i].minDomains {
			lo = 0
		}
		s.minMatch[i] = lo
	}
	state.Write(filterKey, s)
	return nil
}

// Filter rejects a node where placing the pod would exceed a maxSkew.
func (p *Plugin) Filter(_ context.Context, state *framework.CycleState, pod *v1.Pod, node *framework.NodeInfo) *framework.Status {
	s, ok := state.Read(filterKey).(*filterState)
	if !ok {
		return nil
	}
	if !hasAllKeys(node.Node, s.constraints) {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonNodeLabelNotMatch)
	}
	for i, c := range s.constraints {
		var self int64
		if c.selector.Matches(labels.Set(pod.Labels)) {
			self = 1
		}
		skew := s.counts[i][node.Node.Labels[c.key]] + self - s.minMatch[i]
		if skew > int64(c.maxSkew) {
			return framework.NewStatus(framework.Unschedulable, ErrReasonConstraintsNotMatch)
		}
	}
	return nil
}

type scoreState struct {
	constraints []constraint
	counts      []map[string]int64
	weights     []float64
	ignored     sets.Set[string]
}

// PreScore counts matching pods in the domains of the feasible nodes, for
// ScheduleAnyway constraints or the system defaults.
func (p *Plugin) PreScore(_ context.Context, state *framework.CycleState, pod *v1.Pod, feasible []*framework.NodeInfo) *framework.Status {
	cs, defaulted, err := constraintsFor(pod, v1.ScheduleAnyway, p.DefaultSelector)
	if err != nil {
		return framework.AsStatus(err)
	}
	if len(cs) == 0 {
		return framework.NewStatus(framework.Skip)
	}
	requireAll := !defaulted
	s := &scoreState{constraints: cs, counts: make([]map[string]int64, len(cs)), weights: make([]float64, len(cs)), ignored: sets.New[string]()}
	for i := range cs {
		s.counts[i] = map[string]int64{}
	}
	for _, n := range feasible {
		if requireAll && !hasAllKeys(n.Node, cs) {
			s.ignored.Insert(n.Name())
			continue
		}
		for i, c := range cs {
			if c.key == v1.LabelHostname {
				continue
			}
			if v, ok := n.Node.Labels[c.key]; ok {
				s.counts[i][v] += 0
			}
		}
	}
	for i, c := range cs {
		size := len(s.counts[i])
		if c.key == v1.LabelHostname {
			size = len(feasible) - s.ignored.Len()
		}
		s.weights[i] = math.Log(float64(size + 2))
	}
	affinity := nodeaffinity.GetRequiredNodeAffinity(pod)
	for _, n := range state.Snapshot.Nodes {
		if requireAll && !hasAllKeys(n.Node, cs) {
			continue
		}
		for i := range cs {
			c := &cs[i]
			if c.key == v1.LabelHostname || !c.eligible(n.Node, pod, &affinity) {
				continue
			}
			v, ok := n.Node.Labels[c.key]
			if _, counted := s.counts[i][v]; !ok || !counted {
				continue
			}
			s.counts[i][v] += countMatching(n, pod.Namespace, c.selector)
		}
	}
	state.Write(scoreKey, s)
	return nil
}

// Score: more matching pods in the node's domains is a higher raw score
// (NormalizeScore inverts it).
func (p *Plugin) Score(_ context.Context, state *framework.CycleState, pod *v1.Pod, node *framework.NodeInfo) (int64, *framework.Status) {
	s, ok := state.Read(scoreKey).(*scoreState)
	if !ok || s.ignored.Has(node.Name()) {
		return 0, nil
	}
	var score float64
	for i, c := range s.constraints {
		v, ok := node.Node.Labels[c.key]
		if !ok {
			continue
		}
		var cnt int64
		if c.key == v1.LabelHostname {
			cnt = countMatching(node, pod.Namespace, c.selector)
		} else {
			cnt = s.counts[i][v]
		}
		score += float64(cnt)*s.weights[i] + float64(c.maxSkew-1)
	}
	return int64(math.Round(score)), nil
}

// NormalizeScore maps the raw scores so the emptiest node gets 100;
// ignored nodes (missing a topology key) get 0.
func (p *Plugin) NormalizeScore(_ context.Context, state *framework.CycleState, _ *v1.Pod, scores []framework.NodeScore) *framework.Status {
	s, ok := state.Read(scoreKey).(*scoreState)
	if !ok {
		return nil
	}
	lo, hi := int64(math.MaxInt64), int64(0)
	for _, sc := range scores {
		if s.ignored.Has(sc.Name) {
			continue
		}
		lo, hi = min(lo, sc.Score), max(hi, sc.Score)
	}
	for i := range scores {
		switch {
		case s.ignored.Has(scores[i].Name):
			scores[i].Score = 0
		case hi == 0:
			scores[i].Score = framework.MaxNodeScore
		default:
			scores[i].Score = framework.MaxNodeScore * (hi + lo - scores[i].Score) / hi
		}
	}
	return nil
}

// EventsToRegister: placed pods and node labels change domain counts.
func (p *Plugin) EventsToRegister() []framework.ClusterEvent {
	return []framework.ClusterEvent{framework.AssignedPodAdd, framework.AssignedPodUpdate, framework.AssignedPodDelete, framework.NodeAdd, framework.NodeUpdate}
}
