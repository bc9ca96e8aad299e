package balancedallocation

import (
	"context"
	"math"

	v1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
)

// Name is the plugin's name.
const Name = "NodeResourcesBalancedAllocation"

const stateKey framework.StateKey = Name

// Plugin is the score.
type Plugin struct{}

func (Plugin) Name() string { return Name }

// PreScore computes the pod's requests, or skips a best-effort pod.
func (Plugin) PreScore(_ context.Context, state *framework.CycleState, pod *v1.Pod, _ []*framework.NodeInfo) *framework.Status {
	req := framework.PodRequests(pod)
	if req.MilliCPU == 0 && req.Memory == 0 {
		return framework.NewStatus(framework.Skip)
	}
	state.Write(stateKey, req)
	return nil
}

// Score is the balance of cpu and memory use after placing the pod.
func (Plugin) Score(_ context.Context, state *framework.CycleState, pod *v1.Pod, node *framework.NodeInfo) (int64, *framework.Status) {
	req, ok := state.Read(stateKey).(*framework.Resource)
	if !ok {
		req = framework.PodRequests(pod)
	}
	return Balance(req, node), nil
}

// Balance is the pure score.
func Balance(req *framework.Resource, node *framework.NodeInfo) int64 {
	var fractions []float64
	for _, r := range []struct{ requested, allocatable int64 }{
		{node.Requested.MilliCPU + req.MilliCPU, node.Allocatable.MilliCPU},
		{node.Requested.Memory + req.Memory, node.Allocatable.Memory},
	} {
		if r.allocatable == 0 {
			continue
		}
		f := float64(r.requested) / float64(r.allocatable)
		if f > 1 {
			f = 1
		}
		fractions = append(fractions, f)
	}
	std := 0.0
	if len(fractions) == 2 {
		std = math.Abs(fractions[0]-fractions[1]) / 2
	}
	return int64((1 - std) * float64(framework.MaxNodeScore))
}
