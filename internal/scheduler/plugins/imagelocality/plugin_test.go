package imagelocality

import (
	"context"
	"testing"

	v1 "k8s.io/api/core/v1"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
	st "github.com/hanok-dev/hanok/internal/scheduler/schedtest"
)

func withImages(imgs ...v1.ContainerImage) func(*v1.Node) {
	return func(n *v1.Node) { n.Status.Images = imgs }
}

func TestScore(t *testing.T) {
	big := v1.ContainerImage{Names: []string{"registry/big:v1"}, SizeBytes: 500 * mb}
	huge := v1.ContainerImage{Names: []string{"registry/huge:latest", "registry/huge@sha256:abc"}, SizeBytes: 3000 * mb}
	small := v1.ContainerImage{Names: []string{"small:v1"}, SizeBytes: 10 * mb}
	image := func(img string) func(*v1.Pod) { return func(p *v1.Pod) { p.Spec.Containers[0].Image = img } }
	nodes := []*framework.NodeInfo{
		st.Info(st.Node("a", withImages(big, small))),
		st.Info(st.Node("b", withImages(huge))),
		st.Info(st.Node("c")),
		st.Info(st.Node("d", withImages(big))),
	}
	snap := framework.NewSnapshot(nodes)
	tests := []struct {
		name string
		pod  *v1.Pod
		want []int64
	}{
		// big on 2 of 4 nodes: 250 MB scaled -> (250-23)*100/(1000-23) = 23.
		{"shared image scaled by spread", st.Pod("p", image("registry/big:v1")), []int64{23, 0, 0, 23}},
		// huge on 1 of 4 nodes: 750 MB -> 74; untagged name normalised to :latest.
		{"untagged means latest", st.Pod("p", image("registry/huge")), []int64{0, 74, 0, 0}},
		{"below the minimum scores 0", st.Pod("p", image("small:v1")), []int64{0, 0, 0, 0}},
		{"missing image", st.Pod("p", image("other")), []int64{0, 0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := framework.NewCycleState(snap)
			for i, n := range nodes {
				got, _ := Plugin{}.Score(context.Background(), state, tt.pod, n)
				if got != tt.want[i] {
					t.Fatalf("node %s: %d, want %d", n.Name(), got, tt.want[i])
				}
			}
		})
	}
}

func TestPriorityClamps(t *testing.T) {
	if got := priority(5000*mb, 1); got != 100 {
		t.Fatalf("above max: %d", got)
	}
	if got := priority(5000*mb, 10); got >= 100 {
		t.Fatalf("max grows with containers: %d", got)
	}
}
