package interpodaffinity

import (
	"context"

	v1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
)

// Name is the plugin's name.
const Name = "InterPodAffinity"

// Upstream's reasons.
const (
	ErrReasonAffinityRulesNotMatch             = "node(s) didn't match pod affinity rules"
	ErrReasonAntiAffinityRulesNotMatch         = "node(s) didn't match pod anti-affinity rules"
	ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules"
)

const (
	filterKey framework.StateKey = Name + "/filter"
	scoreKey  framework.StateKey = Name + "/score"
)

// HardPodAffinityWeight is how much a placed pod's required affinity to
// the incoming pod counts in scoring (upstream's default).
const HardPodAffinityWeight = 1

// Plugin is the filter and score.
type Plugin struct{}

func (Plugin) Name() string { return Name }

type topologyPair struct{ key, value string }

// counts maps a topology domain to a number of matching pods.
type counts map[topologyPair]int64

func (c counts) add(node *v1.Node, key string, n int64) {
	if v, ok := node.Labels[key]; ok {
		c[topologyPair{key, v}] += n
	}
}

type filterState struct {
	pod *framework.PodInfo
	// existingAnti: domains where a placed pod's required anti-affinity
	// term matches the incoming pod.
	existingAnti counts
	// affinity: domains with placed pods matching all the incoming pod's
	// required affinity terms (per term's key); anti: domains with placed
	// pods matching an incoming anti-affinity term.
	affinity, anti counts
}

// PreFilter counts matching pods per domain.
func (Plugin) PreFilter(_ context.Context, state *framework.CycleState, pod *v1.Pod) *framework.Status {
	pi := framework.NewPodInfo(pod)
	if pi.ParseError != nil {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, pi.ParseError.Error())
	}
	snap := state.Snapshot
	if len(pi.RequiredAffinityTerms) == 0 && len(pi.RequiredAntiAffinityTerms) == 0 && len(snap.HavePodsWithRequiredAntiAffinity) == 0 {
		return framework.NewStatus(framework.Skip)
	}
	s := &filterState{pod: pi, existingAnti: counts{}, affinity: counts{}, anti: counts{}}
	for _, n := range snap.HavePodsWithRequiredAntiAffinity {
		for _, existing := range n.PodsWithRequiredAntiAffinity {
			for i := range existing.RequiredAntiAffinityTerms {
				t := &existing.RequiredAntiAffinityTerms[i]
				if t.Matches(pod, snap) {
					s.existingAnti.add(n.Node, t.TopologyKey, 1)
				}
			}
		}
	}
	if len(pi.RequiredAffinityTerms)+len(pi.RequiredAntiAffinityTerms) > 0 {
		for _, n := range snap.Nodes {
			for _, existing := range n.Pods {
				if matchesAll(pi.RequiredAffinityTerms, existing.Pod, snap) {
					for _, t := range pi.RequiredAffinityTerms {
						s.affinity.add(n.Node, t.TopologyKey, 1)
					}
				}
				for i := range pi.RequiredAntiAffinityTerms {
					t := &pi.RequiredAntiAffinityTerms[i]
					if t.Matches(existing.Pod, snap) {
						s.anti.add(n.Node, t.TopologyKey, 1)
					}
				}
			}
		}
	}
	state.Write(filterKey, s)
	return nil
}

func matchesAll(terms []framework.AffinityTerm, pod *v1.Pod, ns framework.NamespaceLabeler) bool {
	if len(terms) == 0 {
		return false
	}
	for i := range terms {
		if !terms[i].Matches(pod, ns) {
			return false
		}
	}
	return true
}

// Filter checks the node's domains against the counts.
func (Plugin) Filter(_ context.Context, state *framework.CycleState, pod *v1.Pod, node *framework.NodeInfo) *framework.Status {
	s, ok := state.Read(filterKey).(*filterState)
	if !ok {
		return framework.AsStatus(errNoState)
	}
	labels := node.Node.Labels
	if !s.satisfiesAffinity(labels, state) {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonAffinityRulesNotMatch)
	}
	for _, t := range s.pod.RequiredAntiAffinityTerms {
		if v, ok := labels[t.TopologyKey]; ok && s.anti[topologyPair{t.TopologyKey, v}] > 0 {
			return framework.NewStatus(framework.Unschedulable, ErrReasonAntiAffinityRulesNotMatch)
		}
	}
	if len(s.existingAnti) > 0 {
		for k, v := range labels {
			if s.existingAnti[topologyPair{k, v}] > 0 {
				return framework.NewStatus(framework.Unschedulable, ErrReasonExistingAntiAffinityRulesNotMatch)
			}
		}
	}
	return nil
}

// satisfiesAffinity: every required term's domain on this node holds a
// matching pod. The node must have every term's topology key. A pod whose
// terms match nothing in the cluster but match itself may go anywhere
// with the keys: the first of a group with affinity to itself.
func (s *filterState) satisfiesAffinity(labels map[string]string, state *framework.CycleState) bool {
	found := true
	for _, t := range s.pod.RequiredAffinityTerms {
		v, ok := labels[t.TopologyKey]
		if !ok {
			return false
		}
		if s.affinity[topologyPair{t.TopologyKey, v}] <= 0 {
			found = false
		}
	}
	if found {
		return true
	}
	return len(s.affinity) == 0 && matchesAll(s.pod.RequiredAffinityTerms, s.pod.Pod, state.Snapshot)
}

// EventsToRegister: placed pods and node labels change the domains.
func (Plugin) EventsToRegister() []framework.ClusterEvent {
	return []framework.ClusterEvent{framework.AssignedPodAdd, framework.AssignedPodUpdate, framework.AssignedPodDelete, framework.NodeAdd, framework.NodeUpdate}
}
