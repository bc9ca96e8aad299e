package nodename

import (
	"context"
	"testing"

	v1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
	st "github.com/hanok-dev/hanok/internal/scheduler/schedtest"
)

func TestFilter(t *testing.T) {
	tests := []struct {
		name string
		pod  *v1.Pod
		want framework.Code
	}{
		{"no node name", st.Pod("p"), framework.Success},
		{"this node", st.Pod("p", st.On("n1")), framework.Success},
		{"other node", st.Pod("p", st.On("n2")), framework.UnschedulableAndUnresolvable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Plugin{}.Filter(context.Background(), nil, tt.pod, st.Info(st.Node("n1")))
			if got.Code() != tt.want {
				t.Fatalf("code %v, want %v", got.Code(), tt.want)
			}
		})
	}
}
