package nodeports

import (
	"context"
	"testing"

	v1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
	st "github.com/hanok-dev/hanok/internal/scheduler/schedtest"
)

func TestFilter(t *testing.T) {
	tcp, udp := v1.ProtocolTCP, v1.ProtocolUDP
	tests := []struct {
		name   string
		pod    *v1.Pod
		onNode []*v1.Pod
		want   framework.Code
	}{
		{"no ports", st.Pod("p"), []*v1.Pod{st.Pod("a", st.HostPort("", tcp, 80), st.On("n"))}, framework.Success},
		{"free port", st.Pod("p", st.HostPort("", tcp, 8080)), []*v1.Pod{st.Pod("a", st.HostPort("", tcp, 80), st.On("n"))}, framework.Success},
		{"same port any ip", st.Pod("p", st.HostPort("", tcp, 80)), []*v1.Pod{st.Pod("a", st.HostPort("", tcp, 80), st.On("n"))}, framework.Unschedulable},
		{"same port other protocol", st.Pod("p", st.HostPort("", udp, 80)), []*v1.Pod{st.Pod("a", st.HostPort("", tcp, 80), st.On("n"))}, framework.Success},
		{"default protocol is tcp", st.Pod("p", st.HostPort("", "", 80)), []*v1.Pod{st.Pod("a", st.HostPort("", tcp, 80), st.On("n"))}, framework.Unschedulable},
		{"different ips", st.Pod("p", st.HostPort("127.0.0.1", tcp, 80)), []*v1.Pod{st.Pod("a", st.HostPort("127.0.0.2", tcp, 80), st.On("n"))}, framework.Success},
		{"specific ip against 0.0.0.0", st.Pod("p", st.HostPort("127.0.0.1", tcp, 80)), []*v1.Pod{st.Pod("a", st.HostPort("0.0.0.0", tcp, 80), st.On("n"))}, framework.Unschedulable},
		{"0.0.0.0 against specific ip", st.Pod("p", st.HostPort("", tcp, 80)), []*v1.Pod{st.Pod("a", st.HostPort("127.0.0.1", tcp, 80), st.On("n"))}, framework.Unschedulable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := framework.NewCycleState(nil)
			if s := (Plugin{}).PreFilter(context.Background(), state, tt.pod); s.IsSkip() {
				if tt.want != framework.Success {
					t.Fatal("skipped a pod with ports")
				}
				return
			}
			got := Plugin{}.Filter(context.Background(), state, tt.pod, st.Info(st.Node("n"), tt.onNode...))
			if got.Code() != tt.want {
				t.Fatalf("code %v, want %v", got.Code(), tt.want)
			}
		})
	}
}

func TestRemovedPodFreesPort(t *testing.T) {
	a := st.Pod("a", st.HostPort("", v1.ProtocolTCP, 80), st.On("n"))
	ni := st.Info(st.Node("n"), a)
	ni.RemovePod(string(a.UID))
	p := st.Pod("p", st.HostPort("", v1.ProtocolTCP, 80))
	if s := (Plugin{}).Filter(context.Background(), framework.NewCycleState(nil), p, ni); !s.IsSuccess() {
		t.Fatalf("port still taken after removal: %v", s.Message())
	}
}
