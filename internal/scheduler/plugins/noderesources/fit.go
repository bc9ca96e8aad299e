package noderesources

import (
	"context"
	"fmt"

	v1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
)

// Name is the plugin's name.
const Name = "NodeResourcesFit"

const stateKey framework.StateKey = Name

// Plugin is the filter and score.
type Plugin struct{}

func (Plugin) Name() string { return Name }

type preState struct {
	requests, nonZero *framework.Resource
}

// PreFilter computes the pod's requests once.
func (Plugin) PreFilter(_ context.Context, state *framework.CycleState, pod *v1.Pod) *framework.Status {
	state.Write(stateKey, &preState{requests: framework.PodRequests(pod), nonZero: framework.PodNonZeroRequests(pod)})
	return nil
}

func readState(state *framework.CycleState, pod *v1.Pod) *preState {
	if s, ok := state.Read(stateKey).(*preState); ok {
		return s
	}
	return &preState{requests: framework.PodRequests(pod), nonZero: framework.PodNonZeroRequests(pod)}
}

// Filter rejects the node when any request exceeds what is left.
func (Plugin) Filter(_ context.Context, state *framework.CycleState, pod *v1.Pod, node *framework.NodeInfo) *framework.Status {
	reasons, unresolvable := Insufficient(readState(state, pod).requests, node)
	if len(reasons) == 0 {
		return nil
	}
	code := framework.Unschedulable
	if unresolvable {
		code = framework.UnschedulableAndUnresolvable
	}
	return framework.NewStatus(code, reasons...)
}

// Insufficient lists upstream's reasons ("Too many pods",
// "Insufficient cpu", ...) for what does not fit; unresolvable is true
// when a request exceeds the node's whole allocatable, so evicting pods
// could not help.
func Insufficient(req *framework.Resource, node *framework.NodeInfo) (reasons []string, unresolvable bool) {
	alloc, used := node.Allocatable, node.Requested
	if int64(len(node.Pods))+1 > alloc.AllowedPodNumber {
		reasons = append(reasons, "Too many pods")
	}
	if req.MilliCPU == 0 && req.Memory == 0 && req.EphemeralStorage == 0 && len(req.Scalar) == 0 {
		return reasons, false
	}
	check := func(name string, want, have, inUse int64) {
		if want > 0 && want > have-inUse {
			reasons = append(reasons, "Insufficient "+name)
			if want > have {
				unresolvable = true
			}
		}
	}
	check(string(v1.ResourceCPU), req.MilliCPU, alloc.MilliCPU, used.MilliCPU)
	check(string(v1.ResourceMemory), req.Memory, alloc.Memory, used.Memory)
	check(string(v1.ResourceEphemeralStorage), req.EphemeralStorage, alloc.EphemeralStorage, used.EphemeralStorage)
	for _, name := range sortedNames(req.Scalar) {
		check(fmt.Sprint(name), req.Scalar[name], alloc.Scalar[name], used.Scalar[name])
	}
	return reasons, unresolvable
}

// EventsToRegister: room appears when pods go or nodes grow.
func (Plugin) EventsToRegister() []framework.ClusterEvent {
	return []framework.ClusterEvent{framework.NodeAdd, framework.NodeUpdate, framework.AssignedPodDelete, framework.AssignedPodUpdate}
}
