package framework

import (
	"context"
	"fmt"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
)

// WeightedPlugin is a plugin with its score weight (ignored by plugins
// that do not score).
type WeightedPlugin struct {
	Plugin Plugin
	Weight int64
}

// Profile is one scheduler name's plugin set, split by extension point in
// the order given.
type Profile struct {
	SchedulerName string
	preFilter     []PreFilterPlugin
	filter        []FilterPlugin
	preScore      []PreScorePlugin
	score         []scorer
	preBind       []PreBindPlugin
	plugins       []Plugin
}

type scorer struct {
	ScorePlugin
	weight int64
}

// NewProfile sorts plugins into extension points.
func NewProfile(name string, plugins []WeightedPlugin) *Profile {
	p := &Profile{SchedulerName: name}
	for _, wp := range plugins {
		p.plugins = append(p.plugins, wp.Plugin)
		if x, ok := wp.Plugin.(PreFilterPlugin); ok {
			p.preFilter = append(p.preFilter, x)
		}
		if x, ok := wp.Plugin.(FilterPlugin); ok {
			p.filter = append(p.filter, x)
		}
		if x, ok := wp.Plugin.(PreScorePlugin); ok {
			p.preScore = append(p.preScore, x)
		}
		if x, ok := wp.Plugin.(ScorePlugin); ok && wp.Weight > 0 {
			p.score = append(p.score, scorer{x, wp.Weight})
		}
		if x, ok := wp.Plugin.(PreBindPlugin); ok {
			p.preBind = append(p.preBind, x)
		}
	}
	return p
}

// Interest maps each cluster event to the plugins that registered for it.
func (p *Profile) Interest() map[ClusterEvent]sets.Set[string] {
	m := map[ClusterEvent]sets.Set[string]{}
	for _, pl := range p.plugins {
		ext, ok := pl.(EnqueueExtensions)
		if !ok {
			continue
		}
		for _, ev := range ext.EventsToRegister() {
			if m[ev] == nil {
				m[ev] = sets.New[string]()
			}
			m[ev].Insert(pl.Name())
		}
	}
	return m
}

const skipFilterKey StateKey = "framework/skipFilter"
const skipScoreKey StateKey = "framework/skipScore"

// RunPreFilter runs every PreFilter; a rejection rejects the pod
// everywhere (the status names the plugin).
func (p *Profile) RunPreFilter(ctx context.Context, state *CycleState, pod *v1.Pod) *Status {
	skip := sets.New[string]()
	for _, pl := range p.preFilter {
		st := pl.PreFilter(ctx, state, pod)
		switch {
		case st.IsSkip():
			skip.Insert(pl.Name())
		case !st.IsSuccess():
			return st.WithPlugin(pl.Name())
		}
	}
	state.Write(skipFilterKey, skip)
	return nil
}

// RunFilterWithNominated is RunFilter on node with the pods nominated to
// it of at least pod's priority counted as if placed (upstream's
// RunFilterPluginsWithNominatedPods, without re-running PreFilter for
// them: resource and port use is what they reserve).
func (p *Profile) RunFilterWithNominated(ctx context.Context, state *CycleState, pod *v1.Pod, node *NodeInfo) *Status {
	if noms := state.Snapshot.Nominated[node.Name()]; len(noms) > 0 {
		prio := corev1helpers.PodPriority(pod)
		var with *NodeInfo
		for _, nom := range noms {
			if nom.Pod.UID == pod.UID || corev1helpers.PodPriority(nom.Pod) < prio {
				continue
			}
			if with == nil {
				with = node.Clone()
			}
			with.AddPod(nom)
		}
		if with != nil {
			if st := p.RunFilter(ctx, state, pod, with); !st.IsSuccess() {
				return st
			}
		}
	}
	return p.RunFilter(ctx, state, pod, node)
}

// RunFilter runs the filters on one node, stopping at the first
// rejection. Safe to call concurrently for different nodes.
func (p *Profile) RunFilter(ctx context.Context, state *CycleState, pod *v1.Pod, node *NodeInfo) *Status {
	skip, _ := state.Read(skipFilterKey).(sets.Set[string])
	for _, pl := range p.filter {
		if skip.Has(pl.Name()) {
			continue
		}
		if st := pl.Filter(ctx, state, pod, node); !st.IsSuccess() {
			return st.WithPlugin(pl.Name())
		}
	}
	return nil
}

// RunPreScore runs every PreScore over the feasible nodes.
func (p *Profile) RunPreScore(ctx context.Context, state *CycleState, pod *v1.Pod, nodes []*NodeInfo) *Status {
	skip := sets.New[string]()
	for _, pl := range p.preScore {
		st := pl.PreScore(ctx, state, pod, nodes)
		switch {
		case st.IsSkip():
			skip.Insert(pl.Name())
		case !st.IsSuccess():
			return st.WithPlugin(pl.Name())
		}
	}
	state.Write(skipScoreKey, skip)
	return nil
}

// Scorers is how many score plugins run for this cycle.
func (p *Profile) Scorers(state *CycleState) []int {
	skip, _ := state.Read(skipScoreKey).(sets.Set[string])
	var idx []int
	for i, s := range p.score {
		if !skip.Has(s.Name()) {
			idx = append(idx, i)
		}
	}
	return idx
}

// RunScore is scorer i's raw score for one node (concurrent-safe).
func (p *Profile) RunScore(ctx context.Context, i int, state *CycleState, pod *v1.Pod, node *NodeInfo) (int64, *Status) {
	s, st := p.score[i].Score(ctx, state, pod, node)
	return s, st.WithPlugin(p.score[i].Name())
}

// NormalizeAndWeigh normalises scorer i's scores in place (if it has a
// normaliser), checks the range and multiplies by the weight.
func (p *Profile) NormalizeAndWeigh(ctx context.Context, i int, state *CycleState, pod *v1.Pod, scores []NodeScore) *Status {
	s := p.score[i]
	if n, ok := s.ScorePlugin.(ScoreNormalizer); ok {
		if st := n.NormalizeScore(ctx, state, pod, scores); !st.IsSuccess() {
			return st.WithPlugin(s.Name())
		}
	}
	for j := range scores {
		if scores[j].Score < 0 || scores[j].Score > MaxNodeScore {
			return AsStatus(fmt.Errorf("plugin %s scored node %s %d, outside 0..%d", s.Name(), scores[j].Name, scores[j].Score, MaxNodeScore))
		}
		scores[j].Score *= s.weight
	}
	return nil
}

// RunPreBind runs every PreBind for the chosen node.
func (p *Profile) RunPreBind(ctx context.Context, state *CycleState, pod *v1.Pod, node string) *Status {
	for _, pl := range p.preBind {
		if st := pl.PreBind(ctx, state, pod, node); !st.IsSuccess() {
			return st.WithPlugin(pl.Name())
		}
	}
	return nil
}
