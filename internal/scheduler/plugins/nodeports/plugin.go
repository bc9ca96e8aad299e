package nodeports

import (
	"context"

	v1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
)

// Name is the plugin's name.
const Name = "NodePorts"

// ErrReason is upstream's reason.
const ErrReason = "node(s) didn't have free ports for the requested pod ports"

const stateKey framework.StateKey = Name

// Plugin is the filter.
type Plugin struct{}

func (Plugin) Name() string { return Name }

// PreFilter lists the pod's host ports, or skips a pod with none.
func (Plugin) PreFilter(_ context.Context, state *framework.CycleState, pod *v1.Pod) *framework.Status {
	ports := framework.PodHostPorts(pod)
	if len(ports) == 0 {
		return framework.NewStatus(framework.Skip)
	}
	state.Write(stateKey, ports)
	return nil
}

// Filter rejects a node where one of the ports is taken.
func (Plugin) Filter(_ context.Context, state *framework.CycleState, pod *v1.Pod, node *framework.NodeInfo) *framework.Status {
	ports, ok := state.Read(stateKey).([]v1.ContainerPort)
	if !ok {
		ports = framework.PodHostPorts(pod)
	}
	for _, p := range ports {
		if node.UsedPorts.Conflicts(p.HostIP, p.Protocol, p.HostPort) {
			return framework.NewStatus(framework.Unschedulable, ErrReason)
		}
	}
	return nil
}

// EventsToRegister: ports free up when pods go.
func (Plugin) EventsToRegister() []framework.ClusterEvent {
	return []framework.ClusterEvent{framework.NodeAdd, framework.AssignedPodDelete}
}
