package nodeunschedulable

import (
	"context"
	"testing"

	v1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
	st "github.com/hanok-dev/hanok/internal/scheduler/schedtest"
)

func TestFilter(t *testing.T) {
	cordoned := func(n *v1.Node) { n.Spec.Unschedulable = true }
	tests := []struct {
		name string
		pod  *v1.Pod
		node *v1.Node
		want framework.Code
	}{
		{"schedulable node", st.Pod("p"), st.Node("n"), framework.Success},
		{"cordoned node", st.Pod("p"), st.Node("n", cordoned), framework.UnschedulableAndUnresolvable},
		{"cordon tolerated by key", st.Pod("p", st.Tolerations(v1.Toleration{Key: v1.TaintNodeUnschedulable, Operator: v1.TolerationOpExists, Effect: v1.TaintEffectNoSchedule})),
			st.Node("n", cordoned), framework.Success},
		{"cordon tolerated by wildcard", st.Pod("p", st.Tolerations(v1.Toleration{Operator: v1.TolerationOpExists})),
			st.Node("n", cordoned), framework.Success},
		{"wrong effect does not tolerate", st.Pod("p", st.Tolerations(v1.Toleration{Key: v1.TaintNodeUnschedulable, Operator: v1.TolerationOpExists, Effect: v1.TaintEffectNoExecute})),
			st.Node("n", cordoned), framework.UnschedulableAndUnresolvable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Plugin{}.Filter(context.Background(), nil, tt.pod, st.Info(tt.node))
			if got.Code() != tt.want {
				t.Fatalf("code %v, want %v (%s)", got.Code(), tt.want, got.Message())
			}
			if tt.want != framework.Success && got.Message() != ErrReasonUnschedulable {
				t.Fatalf("reason %q", got.Message())
			}
		})
	}
}
