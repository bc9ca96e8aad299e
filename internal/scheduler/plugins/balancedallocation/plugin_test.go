package balancedallocation

import (
	"context"
	"testing"

	v1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
	st "github.com/hanok-dev/hanok/internal/scheduler/schedtest"
)

func TestScore(t *testing.T) {
	node := st.Node("n", st.Allocatable("cpu", "4", "memory", "4000"))
	tests := []struct {
		name   string
		pod    *v1.Pod
		onNode []*v1.Pod
		want   int64
	}{
		{"equal shares", st.Pod("p", st.Requests("cpu", "2", "memory", "2000")), nil, 100},
		// cpu 0.75, memory 0.25: std 0.25 -> 75.
		{"unequal shares", st.Pod("p", st.Requests("cpu", "3", "memory", "1000")), nil, 75},
		{"existing pods balance it out", st.Pod("p", st.Requests("cpu", "1")),
			[]*v1.Pod{st.Pod("a", st.Requests("memory", "1000"), st.On("n"))}, 100},
		// Fractions capped at 1: cpu 1 (5/4), memory 0 -> std 0.5 -> 50.
		{"overcommit capped", st.Pod("p", st.Requests("cpu", "5")), nil, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := framework.NewCycleState(nil)
			if s := (Plugin{}).PreScore(context.Background(), state, tt.pod, nil); !s.IsSuccess() {
				t.Fatalf("PreScore: %v", s.Code())
			}
			got, _ := Plugin{}.Score(context.Background(), state, tt.pod, st.Info(node, tt.onNode...))
			if got != tt.want {
				t.Fatalf("score %d, want %d", got, tt.want)
			}
		})
	}
}

func TestBestEffortSkips(t *testing.T) {
	if s := (Plugin{}).PreScore(context.Background(), framework.NewCycleState(nil), st.Pod("p"), nil); !s.IsSkip() {
		t.Fatalf("best-effort pod: %v, want Skip", s.Code())
	}
}
