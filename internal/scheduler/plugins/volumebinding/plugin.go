package volumebinding

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	v1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	storagelisters "k8s.io/client-go/listers/storage/v1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
)

// Name is the plugin's name.
const Name = "VolumeBinding"

// Upstream's reasons and annotation.
const (
	ErrReasonNodeConflict  = "node(s) had volume node affinity conflict"
	ErrReasonUnboundClaims = "pod has unbound immediate PersistentVolumeClaims"
	AnnSelectedNode        = "volume.kubernetes.io/selected-node"
)

const stateKey framework.StateKey = Name

// Plugin is the filter and pre-bind step.
type Plugin struct {
	Claims         corelisters.PersistentVolumeClaimLister
	Volumes        corelisters.PersistentVolumeLister
	StorageClasses storagelisters.StorageClassLister
	Client         kubernetes.Interface
	// BindTimeout bounds PreBind's wait for provisioning (default 60s).
	BindTimeout time.Duration
}

func (*Plugin) Name() string { return Name }

type podVolumes struct {
	// bound volumes' node selectors.
	selectors []*nodeaffinity.NodeSelector
	// delayed claims to provision on the chosen node.
	delayed []*v1.PersistentVolumeClaim
}

// PreFilter resolves the pod's claims.
func (p *Plugin) PreFilter(_ context.Context, state *framework.CycleState, pod *v1.Pod) *framework.Status {
	pv := &podVolumes{}
	hasClaims := false
	for _, vol := range pod.Spec.Volumes {
		var claimName string
		switch {
		case vol.PersistentVolumeClaim != nil:
			claimName = vol.PersistentVolumeClaim.ClaimName
		case vol.Ephemeral != nil:
			claimName = pod.Name + "-" + vol.Name // the generic ephemeral volume's claim
		default:
			continue
		}
		hasClaims = true
		claim, err := p.Claims.PersistentVolumeClaims(pod.Namespace).Get(claimName)
		if apierrors.IsNotFound(err) {
			return framework.NewStatus(framework.UnschedulableAndUnresolvable, fmt.Sprintf("persistentvolumeclaim %q not found", claimName))
		} else if err != nil {
			return framework.AsStatus(err)
		}
		if claim.DeletionTimestamp != nil {
			return framework.NewStatus(framework.UnschedulableAndUnresolvable, fmt.Sprintf("persistentvolumeclaim %q is being deleted", claimName))
		}
		if claim.Spec.VolumeName != "" {
			vol, err := p.Volumes.Get(claim.Spec.VolumeName)
			if err != nil {
				return framework.NewStatus(framework.UnschedulableAndUnresolvable,
					fmt.Sprintf("pvc %s/%s bound to non-existent pv %s", claim.Namespace, claim.Name, claim.Spec.VolumeName))
			}
			if na := vol.Spec.NodeAffinity; na != nil && na.Required != nil {
				sel, err := nodeaffinity.NewNodeSelector(na.Required)
				if err != nil {
					return framework.AsStatus(err)
				}
				pv.selectors = append(pv.selectors, sel)
			}
			continue
		}
		if !p.delayed(claim) {
			return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonUnboundClaims)
		}
		pv.delayed = append(pv.delayed, claim)
	}
	if !hasClaims {
		return framework.NewStatus(framework.Skip)
	}
	state.Write(stateKey, pv)
	return nil
}

// delayed: the claim's class binds on first consumer.
func (p *Plugin) delayed(claim *v1.PersistentVolumeClaim) bool {
	name := ""
	if claim.Spec.StorageClassName != nil {
		name = *claim.Spec.StorageClassName
	}
	if name == "" {
		return false
	}
	class, err := p.StorageClasses.Get(name)
	if err != nil || class.VolumeBindingMode == nil {
		return false
	}
	return *class.VolumeBindingMode == storagev1.VolumeBindingWaitForFirstConsumer
}

// Filter checks the bound volumes' node affinity.
func (p *Plugin) Filter(_ context.Context, state *framework.CycleState, _ *v1.Pod, node *framework.NodeInfo) *framework.Status {
	pv, ok := state.Read(stateKey).(*podVolumes)
	if !ok {
		return nil
	}
	for _, sel := range pv.selectors {
		if !sel.Match(node.Node) {
			return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonNodeConflict)
		}
	}
	return nil
}

// PreBind asks for the delayed claims to be provisioned on node and
// waits until they are bound.
func (p *Plugin) PreBind(ctx context.Context, state *framework.CycleState, _ *v1.Pod, node string) *framework.Status {
	pv, ok := state.Read(stateKey).(*podVolumes)
	if !ok || len(pv.delayed) == 0 {
		return nil
	}
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{AnnSelectedNode: node}}})
	for _, claim := range pv.delayed {
		if _, err := p.Client.CoreV1().PersistentVolumeClaims(claim.Namespace).Patch(ctx, claim.Name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
			return framework.AsStatus(fmt.Errorf("selecting node %s for claim %s: %w", node, claim.Name, err))
		}
	}
	timeout := p.BindTimeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, timeout, true, func(context.Context) (bool, error) {
		for _, claim := range pv.delayed {
			c, err := p.Claims.PersistentVolumeClaims(claim.Namespace).Get(claim.Name)
			if err != nil || c.Spec.VolumeName == "" {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return framework.AsStatus(fmt.Errorf("waiting for claims to be provisioned on %s: %w", node, err))
	}
	return nil
}

// EventsToRegister: claims, volumes and classes appearing or binding.
func (p *Plugin) EventsToRegister() []framework.ClusterEvent {
	return []framework.ClusterEvent{framework.PVCChange, framework.PVChange, framework.StorageClassAdd, framework.NodeAdd, framework.NodeUpdate}
}
