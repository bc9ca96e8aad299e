package noderesources

import (
	"context"
	"reflect"
	"testing"

	v1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
	st "github.com/hanok-dev/hanok/internal/scheduler/schedtest"
)

func TestFilter(t *testing.T) {
	withInit := func(kv ...string) func(*v1.Pod) {
		return func(p *v1.Pod) {
			p.Spec.InitContainers = append(p.Spec.InitContainers, v1.Container{Name: "init", Resources: v1.ResourceRequirements{Requests: st.List(kv...)}})
		}
	}
	withSidecar := func(kv ...string) func(*v1.Pod) {
		always := v1.ContainerRestartPolicyAlways
		return func(p *v1.Pod) {
			p.Spec.InitContainers = append(p.Spec.InitContainers, v1.Container{Name: "sidecar", RestartPolicy: &always, Resources: v1.ResourceRequirements{Requests: st.List(kv...)}})
		}
	}
	overhead := func(kv ...string) func(*v1.Pod) { return func(p *v1.Pod) { p.Spec.Overhead = st.List(kv...) } }
	node := st.Node("n", st.Allocatable("cpu", "2", "memory", "4Gi", "pods", "3", "ephemeral-storage", "10Gi", "example.com/gpu", "1"))
	used := st.Pod("used", st.Requests("cpu", "1", "memory", "1Gi"), st.On("n"))

	tests := []struct {
		name    string
		pod     *v1.Pod
		onNode  []*v1.Pod
		code    framework.Code
		reasons []string
	}{
		{"fits", st.Pod("p", st.Requests("cpu", "1", "memory", "3Gi")), []*v1.Pod{used}, framework.Success, nil},
		{"no requests fits", st.Pod("p"), []*v1.Pod{used}, framework.Success, nil},
		{"cpu short", st.Pod("p", st.Requests("cpu", "1500m")), []*v1.Pod{used}, framework.Unschedulable, []string{"Insufficient cpu"}},
		{"cpu and memory short", st.Pod("p", st.Requests("cpu", "2", "memory", "3500Mi")), []*v1.Pod{used}, framework.Unschedulable, []string{"Insufficient cpu", "Insufficient memory"}},
		{"more than the node has is unresolvable", st.Pod("p", st.Requests("cpu", "3")), nil, framework.UnschedulableAndUnresolvable, []string{"Insufficient cpu"}},
		{"pod count", st.Pod("p"), []*v1.Pod{used, st.Pod("a", st.On("n")), st.Pod("b", st.On("n"))}, framework.Unschedulable, []string{"Too many pods"}},
		{"init container larger than containers counts", st.Pod("p", st.Requests("cpu", "500m"), withInit("cpu", "1500m")), []*v1.Pod{used}, framework.Unschedulable, []string{"Insufficient cpu"}},
		{"init container smaller than containers", st.Pod("p", st.Requests("cpu", "1"), withInit("cpu", "500m")), []*v1.Pod{used}, framework.Success, nil},
		{"sidecar adds to containers", st.Pod("p", st.Requests("cpu", "800m"), withSidecar("cpu", "300m")), []*v1.Pod{used}, framework.Unschedulable, []string{"Insufficient cpu"}},
		{"overhead counts", st.Pod("p", st.Requests("cpu", "900m"), overhead("cpu", "200m")), []*v1.Pod{used}, framework.Unschedulable, []string{"Insufficient cpu"}},
		{"ephemeral storage", st.Pod("p", st.Requests("ephemeral-storage", "11Gi")), nil, framework.UnschedulableAndUnresolvable, []string{"Insufficient ephemeral-storage"}},
		{"extended resource fits", st.Pod("p", st.Requests("example.com/gpu", "1")), nil, framework.Success, nil},
		{"extended resource short", st.Pod("p", st.Requests("example.com/gpu", "1")), []*v1.Pod{st.Pod("g", st.Requests("example.com/gpu", "1"), st.On("n"))}, framework.Unschedulable, []string{"Insufficient example.com/gpu"}},
		{"extended resource unknown to node", st.Pod("p", st.Requests("example.com/fpga", "1")), nil, framework.UnschedulableAndUnresolvable, []string{"Insufficient example.com/fpga"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := framework.NewCycleState(nil)
			Plugin{}.PreFilter(context.Background(), state, tt.pod)
			got := Plugin{}.Filter(context.Background(), state, tt.pod, st.Info(node, tt.onNode...))
			if got.Code() != tt.code || !reflect.DeepEqual(got.Reasons(), tt.reasons) {
				t.Fatalf("got %v %q, want %v %q", got.Code(), got.Reasons(), tt.code, tt.reasons)
			}
		})
	}
}

func TestLeastAllocated(t *testing.T) {
	node := st.Node("n", st.Allocatable("cpu", "4", "memory", "10000"))
	tests := []struct {
		name   string
		pod    *v1.Pod
		onNode []*v1.Pod
		want   int64
	}{
		// cpu: (4000-1000)*100/4000 = 75; memory: (10000-5000)*100/10000 = 50.
		{"half and three quarters", st.Pod("p", st.Requests("cpu", "1", "memory", "5000")), nil, 62},
		{"existing pods count", st.Pod("p", st.Requests("cpu", "1", "memory", "2500")),
			[]*v1.Pod{st.Pod("a", st.Requests("cpu", "1", "memory", "2500"), st.On("n"))}, 50},
		{"overcommitted resource scores 0", st.Pod("p", st.Requests("cpu", "5", "memory", "0")), nil, 50},
		// No requests: 100m and 200Mi defaults; memory default exceeds 10000 bytes.
		{"best effort uses defaults", st.Pod("p"), nil, 48},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := framework.NewCycleState(nil)
			Plugin{}.PreFilter(context.Background(), state, tt.pod)
			got, _ := Plugin{}.Score(context.Background(), state, tt.pod, st.Info(node, tt.onNode...))
			if got != tt.want {
				t.Fatalf("score %d, want %d", got, tt.want)
			}
		})
	}
}
