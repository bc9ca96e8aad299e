package imagelocality

import (
	"context"

	v1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
)

// Name is the plugin's name.
const Name = "ImageLocality"

const (
	mb                    int64 = 1024 * 1024
	minThreshold          int64 = 23 * mb
	maxContainerThreshold int64 = 1000 * mb
)

// Plugin is the score.
type Plugin struct{}

func (Plugin) Name() string { return Name }

// Score is upstream's: sum over the pod's (init) containers of the image
// size on this node times the share of nodes holding it, clamped and
// scaled.
func (Plugin) Score(_ context.Context, state *framework.CycleState, pod *v1.Pod, node *framework.NodeInfo) (int64, *framework.Status) {
	total := len(state.Snapshot.Nodes)
	if total == 0 {
		return 0, nil
	}
	var sum int64
	for _, list := range [][]v1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for i := range list {
			name := framework.NormalizedImageName(list[i].Image)
			if size, ok := node.Images[name]; ok {
				spread := float64(state.Snapshot.ImageNodes(name)) / float64(total)
				sum += int64(float64(size) * spread)
			}
		}
	}
	return priority(sum, len(pod.Spec.InitContainers)+len(pod.Spec.Containers)), nil
}

func priority(sum int64, containers int) int64 {
	maxThreshold := maxContainerThreshold * int64(containers)
	if sum < minThreshold {
		sum = minThreshold
	} else if sum > maxThreshold {
		sum = maxThreshold
	}
	return framework.MaxNodeScore * (sum - minThreshold) / (maxThreshold - minThreshold)
}
