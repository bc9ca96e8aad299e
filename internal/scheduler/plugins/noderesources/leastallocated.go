package noderesources

import (
	"context"

	v1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
)

// Score is LeastAllocated over cpu and memory (weight 1 each), counting
// the default requests for containers that set none: the share of each
// resource left free after placing the pod, averaged, 0..100.
func (Plugin) Score(_ context.Context, state *framework.CycleState, pod *v1.Pod, node *framework.NodeInfo) (int64, *framework.Status) {
	return LeastAllocated(readState(state, pod).nonZero, node), nil
}

// LeastAllocated is the pure score.
func LeastAllocated(podNonZero *framework.Resource, node *framework.NodeInfo) int64 {
	var sum, weights int64
	for _, r := range []struct{ requested, allocatable int64 }{
		{node.NonZeroRequested.MilliCPU + podNonZero.MilliCPU, node.Allocatable.MilliCPU},
		{node.NonZeroRequested.Memory + podNonZero.Memory, node.Allocatable.Memory},
	} {
		if r.allocatable == 0 {
			continue
		}
		weights++
		if r.requested > r.allocatable {
			continue // a score of 0
		}
		sum += (r.allocatable - r.requested) * framework.MaxNodeScore / r.allocatable
	}
	if weights == 0 {
		return 0
	}
	return sum / weights
}
