package tainttoleration

import (
	"context"
	"fmt"

	v1 "k8s.io/api/core/v1"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
)

// Name is the plugin's name.
const Name = "TaintToleration"

const stateKey framework.StateKey = Name

// Plugin is the filter and score.
type Plugin struct{}

func (Plugin) Name() string { return Name }

func doNotSchedule(t *v1.Taint) bool {
	return t.Effect == v1.TaintEffectNoSchedule || t.Effect == v1.TaintEffectNoExecute
}

// Filter rejects the node on its first untolerated NoSchedule/NoExecute
// taint, naming it as upstream does.
func (Plugin) Filter(_ context.Context, _ *framework.CycleState, pod *v1.Pod, node *framework.NodeInfo) *framework.Status {
	taint, untolerated := corev1helpers.FindMatchingUntoleratedTaint(klog.Background(), node.Node.Spec.Taints, pod.Spec.Tolerations, doNotSchedule, false)
	if !untolerated {
		return nil
	}
	return framework.NewStatus(framework.UnschedulableAndUnresolvable,
		fmt.Sprintf("node(s) had untolerated taint {%s: %s}", taint.Key, taint.Value))
}

// PreScore keeps the tolerations that can tolerate PreferNoSchedule.
func (Plugin) PreScore(_ context.Context, state *framework.CycleState, pod *v1.Pod, _ []*framework.NodeInfo) *framework.Status {
	state.Write(stateKey, preferTolerations(pod))
	return nil
}

func preferTolerations(pod *v1.Pod) []v1.Toleration {
	var out []v1.Toleration
	for _, t := range pod.Spec.Tolerations {
		if t.Effect == "" || t.Effect == v1.TaintEffectPreferNoSchedule {
			out = append(out, t)
		}
	}
	return out
}

// Score counts the node's untolerated PreferNoSchedule taints (fewer is
// better; NormalizeScore inverts).
func (Plugin) Score(_ context.Context, state *framework.CycleState, pod *v1.Pod, node *framework.NodeInfo) (int64, *framework.Status) {
	tols, ok := state.Read(stateKey).([]v1.Toleration)
	if !ok {
		tols = preferTolerations(pod)
	}
	var n int64
	for i := range node.Node.Spec.Taints {
		t := &node.Node.Spec.Taints[i]
		if t.Effect == v1.TaintEffectPreferNoSchedule && !corev1helpers.TolerationsTolerateTaint(klog.Background(), tols, t, false) {
			n++
		}
	}
	return n, nil
}

// NormalizeScore: the node with the fewest such taints gets 100.
func (Plugin) NormalizeScore(_ context.Context, _ *framework.CycleState, _ *v1.Pod, scores []framework.NodeScore) *framework.Status {
	framework.DefaultNormalizeScore(framework.MaxNodeScore, true, scores)
	return nil
}

// EventsToRegister: taints change with nodes.
func (Plugin) EventsToRegister() []framework.ClusterEvent {
	return []framework.ClusterEvent{framework.NodeAdd, framework.NodeUpdate}
}
