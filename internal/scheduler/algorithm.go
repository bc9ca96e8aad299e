package scheduler

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/util/workqueue"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
)

// Upstream's adaptive sampling: on big clusters stop filtering once
// enough feasible nodes are found (at least 100, and 50% of nodes minus
// 1% per 125 nodes, but no less than 5%).
const (
	minFeasibleNodesToFind           = 100
	minFeasibleNodesPercentageToFind = 5
)

func numFeasibleNodesToFind(all int) int {
	if all < minFeasibleNodesToFind {
		return all
	}
	pct := 50 - all/125
	if pct < minFeasibleNodesPercentageToFind {
		pct = minFeasibleNodesPercentageToFind
	}
	n := all * pct / 100
	if n < minFeasibleNodesToFind {
		return minFeasibleNodesToFind
	}
	return n
}

// parallelThreshold: below this many nodes, filtering and scoring run on
// one goroutine; spreading them costs more than it saves.
const parallelThreshold = 64

// algorithm runs one profile over one snapshot.
type algorithm struct {
	parallelism int
	rnd         *rand.Rand
}

// placement is one cycle's outcome.
type placement struct {
	node string
	// processed nodes, so the next cycle starts after them.
	processed int
}

// schedule filters and scores nodes for pod, starting at start (a
// round-robin so every node gets its turn on big clusters). A pod that
// fits nowhere gets a *framework.FitError.
func (a *algorithm) schedule(ctx context.Context, prof *framework.Profile, state *framework.CycleState, pod *v1.Pod, start int) (placement, error) {
	nodes := state.Snapshot.Nodes
	if len(nodes) == 0 {
		return placement{}, errNoNodes
	}
	diag := framework.Diagnosis{NodeToStatus: map[string]*framework.Status{}, UnschedulablePlugins: sets.New[string]()}
	if st := prof.RunPreFilter(ctx, state, pod); !st.IsSuccess() {
		if !st.IsRejected() {
			return placement{}, st.AsError()
		}
		diag.PreFilterMsg = st.Message()
		diag.UnschedulablePlugins.Insert(st.Plugin())
		for _, n := range nodes {
			diag.NodeToStatus[n.Name()] = st
		}
		return placement{}, &framework.FitError{Pod: pod, NumAllNodes: len(nodes), Diagnosis: diag}
	}
	// A pod that preempted for a node tries that node first.
	if nom := state.Snapshot.Get(pod.Status.NominatedNodeName); nom != nil {
		if prof.RunFilterWithNominated(ctx, state, pod, nom).IsSuccess() {
			return placement{node: nom.Name()}, nil
		}
	}
	feasible, processed, err := a.filter(ctx, prof, state, pod, nodes, start, &diag)
	if err != nil {
		return placement{}, err
	}
	if len(feasible) == 0 {
		return placement{}, &framework.FitError{Pod: pod, NumAllNodes: len(nodes), Diagnosis: diag}
	}
	if len(feasible) == 1 {
		return placement{node: feasible[0].Name(), processed: processed}, nil
	}
	scores, err := a.score(ctx, prof, state, pod, feasible)
	if err != nil {
		return placement{}, err
	}
	return placement{node: a.selectHost(scores), processed: processed}, nil
}

// filter finds up to numFeasibleNodesToFind feasible nodes, starting at
// start and wrapping; rejected nodes' statuses go into diag.
func (a *algorithm) filter(ctx context.Context, prof *framework.Profile, state *framework.CycleState, pod *v1.Pod,
	nodes []*framework.NodeInfo, start int, diag *framework.Diagnosis) ([]*framework.NodeInfo, int, error) {
	want := numFeasibleNodesToFind(len(nodes))
	feasible := make([]*framework.NodeInfo, want)
	statuses := make([]*framework.Status, len(nodes))
	var found, processed atomic.Int32
	var firstErr error
	var errOnce sync.Once
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	check := func(i int) {
		n := nodes[(start+i)%len(nodes)]
		st := prof.RunFilterWithNominated(ctx, state, pod, n)
		switch {
		case st.IsSuccess():
			if k := found.Add(1); int(k) <= want {
				feasible[k-1] = n
				processed.Add(1)
				if int(k) == want {
					cancel()
				}
			} else {
				found.Add(-1)
			}
		case st.IsRejected():
			statuses[(start+i)%len(nodes)] = st
			processed.Add(1)
		default:
			errOnce.Do(func() { firstErr = st.AsError(); cancel() })
		}
	}
	if len(nodes) < parallelThreshold || a.parallelism <= 1 {
		for i := range nodes {
			if ctx.Err() != nil {
				break
			}
			check(i)
		}
	} else {
		workqueue.ParallelizeUntil(ctx, a.parallelism, len(nodes), check, workqueue.WithChunkSize(chunkSize(len(nodes), a.parallelism)))
	}
	if firstErr != nil {
		return nil, 0, firstErr
	}
	for i, st := range statuses {
		if st != nil {
			diag.NodeToStatus[nodes[i].Name()] = st
			diag.UnschedulablePlugins.Insert(st.Plugin())
		}
	}
	return feasible[:min(int(found.Load()), want)], int(processed.Load()), nil
}

func chunkSize(pieces, workers int) int {
	s := pieces / (workers * 4)
	if s < 1 {
		return 1
	}
	return s
}

// score sums each score plugin's normalised, weighted score per node.
func (a *algorithm) score(ctx context.Context, prof *framework.Profile, state *framework.CycleState, pod *v1.Pod, nodes []*framework.NodeInfo) ([]framework.NodeScore, error) {
	if st := prof.RunPreScore(ctx, state, pod, nodes); !st.IsSuccess() {
		return nil, st.AsError()
	}
	total := make([]framework.NodeScore, len(nodes))
	for i, n := range nodes {
		total[i].Name = n.Name()
	}
	for _, si := range prof.Scorers(state) {
		scores := make([]framework.NodeScore, len(nodes))
		var firstErr error
		var errOnce sync.Once
		one := func(i int) {
			s, st := prof.RunScore(ctx, si, state, pod, nodes[i])
			if !st.IsSuccess() {
				errOnce.Do(func() { firstErr = st.AsError() })
			}
			scores[i] = framework.NodeScore{Name: nodes[i].Name(), Score: s}
		}
		if len(nodes) < parallelThreshold || a.parallelism <= 1 {
			for i := range nodes {
				one(i)
			}
		} else {
			workqueue.ParallelizeUntil(ctx, a.parallelism, len(nodes), one, workqueue.WithChunkSize(chunkSize(len(nodes), a.parallelism)))
		}
		if firstErr != nil {
			return nil, firstErr
		}
		if st := prof.NormalizeAndWeigh(ctx, si, state, pod, scores); !st.IsSuccess() {
			return nil, st.AsError()
		}
		for i := range scores {
			total[i].Score += scores[i].Score
		}
	}
	return total, nil
}

// selectHost picks the highest score, breaking ties uniformly at random
// (reservoir sampling), as upstream.
func (a *algorithm) selectHost(scores []framework.NodeScore) string {
	best, ties := scores[0], 1
	for _, s := range scores[1:] {
		switch {
		case s.Score > best.Score:
			best, ties = s, 1
		case s.Score == best.Score:
			ties++
			if a.rnd.IntN(ties) == 0 {
				best = s
			}
		}
	}
	return best.Name
}
