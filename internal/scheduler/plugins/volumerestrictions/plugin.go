package volumerestrictions

import (
	"context"
	"fmt"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/sets"
	corelisters "k8s.io/client-go/listers/core/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
)

// Name is the plugin's name.
const Name = "VolumeRestrictions"

// ErrReasonReadWriteOncePodConflict is upstream's reason.
const ErrReasonReadWriteOncePodConflict = "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode"

const stateKey framework.StateKey = Name

// Plugin is the filter.
type Plugin struct {
	Claims corelisters.PersistentVolumeClaimLister
}

func (*Plugin) Name() string { return Name }

// PreFilter counts the placed pods using one of pod's ReadWriteOncePod
// claims; a pod with none skips the plugin.
func (p *Plugin) PreFilter(_ context.Context, state *framework.CycleState, pod *v1.Pod) *framework.Status {
	rwop := sets.New[string]()
	for _, vol := range pod.Spec.Volumes {
		if vol.PersistentVolumeClaim == nil {
			continue
		}
		claim, err := p.Claims.PersistentVolumeClaims(pod.Namespace).Get(vol.PersistentVolumeClaim.ClaimName)
		if apierrors.IsNotFound(err) {
			return framework.NewStatus(framework.UnschedulableAndUnresolvable,
				fmt.Sprintf("persistentvolumeclaim %q not found", vol.PersistentVolumeClaim.ClaimName))
		} else if err != nil {
			return framework.AsStatus(err)
		}
		for _, mode := range claim.Spec.AccessModes {
			if mode == v1.ReadWriteOncePod {
				rwop.Insert(claim.Name)
			}
		}
	}
	if rwop.Len() == 0 {
		return framework.NewStatus(framework.Skip)
	}
	conflicts := 0
	for _, n := range state.Snapshot.Nodes {
		for _, pi := range n.Pods {
			if pi.Pod.Namespace != pod.Namespace || pi.Pod.UID == pod.UID {
				continue
			}
			for _, vol := range pi.Pod.Spec.Volumes {
				if vol.PersistentVolumeClaim != nil && rwop.Has(vol.PersistentVolumeClaim.ClaimName) {
					conflicts++
				}
			}
		}
	}
	state.Write(stateKey, conflicts)
	return nil
}

// Filter rejects every node while another pod uses the claim.
func (p *Plugin) Filter(_ context.Context, state *framework.CycleState, _ *v1.Pod, _ *framework.NodeInfo) *framework.Status {
	if n, _ := state.Read(stateKey).(int); n > 0 {
		return framework.NewStatus(framework.Unschedulable, ErrReasonReadWriteOncePodConflict)
	}
	return nil
}

// EventsToRegister: the other user going, or the claim changing.
func (p *Plugin) EventsToRegister() []framework.ClusterEvent {
	return []framework.ClusterEvent{framework.AssignedPodDelete, framework.PVCChange}
}
