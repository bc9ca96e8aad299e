package interpodaffinity

import (
	"context"
	"math"

	v1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
)

type scoreState struct {
	topologyScore map[string]map[string]int64 // key -> value -> score
}

// PreScore sums, per domain, the weights of preferred terms between the
// incoming pod and the placed ones (and placed pods' required affinity to
// it), affinity adding and anti-affinity subtracting.
func (Plugin) PreScore(_ context.Context, state *framework.CycleState, pod *v1.Pod, _ []*framework.NodeInfo) *framework.Status {
	pi := framework.NewPodInfo(pod)
	if pi.ParseError != nil {
		return framework.AsStatus(pi.ParseError)
	}
	snap := state.Snapshot
	hasOwn := len(pi.PreferredAffinityTerms)+len(pi.PreferredAntiAffinityTerms) > 0
	nodes := snap.HavePodsWithAffinity
	if hasOwn {
		nodes = snap.Nodes
	}
	s := &scoreState{topologyScore: map[string]map[string]int64{}}
	add := func(node *v1.Node, key string, w int64) {
		v, ok := node.Labels[key]
		if !ok || w == 0 {
			return
		}
		m := s.topologyScore[key]
		if m == nil {
			m = map[string]int64{}
			s.topologyScore[key] = m
		}
		m[v] += w
	}
	for _, n := range nodes {
		list := n.PodsWithAffinity
		if hasOwn {
			list = n.Pods
		}
		for _, existing := range list {
			for _, t := range pi.PreferredAffinityTerms {
				if t.Matches(existing.Pod, snap) {
					add(n.Node, t.TopologyKey, int64(t.Weight))
				}
			}
			for _, t := range pi.PreferredAntiAffinityTerms {
				if t.Matches(existing.Pod, snap) {
					add(n.Node, t.TopologyKey, -int64(t.Weight))
				}
			}
			for _, t := range existing.RequiredAffinityTerms {
				if t.Matches(pod, snap) {
					add(n.Node, t.TopologyKey, HardPodAffinityWeight)
				}
			}
			for _, t := range existing.PreferredAffinityTerms {
				if t.Matches(pod, snap) {
					add(n.Node, t.TopologyKey, int64(t.Weight))
				}
			}
			for _, t := range existing.PreferredAntiAffinityTerms {
				if t.Matches(pod, snap) {
					add(n.Node, t.TopologyKey, -int64(t.Weight))
				}
			}
		}
	}
	if len(s.topologyScore) == 0 {
		return framework.NewStatus(framework.Skip)
	}
	state.Write(scoreKey, s)
	return nil
}

// Score adds up the node's domains' scores.
func (Plugin) Score(_ context.Context, state *framework.CycleState, _ *v1.Pod, node *framework.NodeInfo) (int64, *framework.Status) {
	s, ok := state.Read(scoreKey).(*scoreState)
	if !ok {
		return 0, nil
	}
	var score int64
	for key, values := range s.topologyScore {
		if v, ok := node.Node.Labels[key]; ok {
			score += values[v]
		}
	}
	return score, nil
}

// NormalizeScore maps min..max to 0..100 (all equal: all 0).
func (Plugin) NormalizeScore(_ context.Context, _ *framework.CycleState, _ *v1.Pod, scores []framework.NodeScore) *framework.Status {
	if len(scores) == 0 {
		return nil
	}
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for _, s := range scores {
		lo, hi = min(lo, s.Score), max(hi, s.Score)
	}
	for i := range scores {
		if hi > lo {
			scores[i].Score = int64(float64(framework.MaxNodeScore) * float64(scores[i].Score-lo) / float64(hi-lo))
		} else {
			scores[i].Score = 0
		}
	}
	return nil
}
