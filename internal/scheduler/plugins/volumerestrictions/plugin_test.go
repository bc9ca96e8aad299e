package volumerestrictions

import (
	"context"
	"testing"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
	st "github.com/hanok-dev/hanok/internal/scheduler/schedtest"
)

func TestReadWriteOncePod(t *testing.T) {
	idx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	for name, mode := range map[string]v1.PersistentVolumeAccessMode{"once": v1.ReadWriteOncePod, "shared": v1.ReadWriteMany} {
		_ = idx.Add(&v1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"},
			Spec: v1.PersistentVolumeClaimSpec{AccessModes: []v1.PersistentVolumeAccessMode{mode}}})
	}
	pl := &Plugin{Claims: corelisters.NewPersistentVolumeClaimLister(idx)}
	uses := func(claim string) func(*v1.Pod) {
		return func(p *v1.Pod) {
			p.Spec.Volumes = []v1.Volume{{Name: "v", VolumeSource: v1.VolumeSource{PersistentVolumeClaim: &v1.PersistentVolumeClaimVolumeSource{ClaimName: claim}}}}
		}
	}
	tests := []struct {
		name   string
		pod    *v1.Pod
		placed []*v1.Pod
		want   string // "" fits, "skip", or the reason
	}{
		{"no claims", st.Pod("p"), nil, "skip"},
		{"shared claim", st.Pod("p", uses("shared")), []*v1.Pod{st.Pod("q", uses("shared"), st.On("n"))}, "skip"},
		{"once claim unused", st.Pod("p", uses("once")), []*v1.Pod{st.Pod("q", st.On("n"))}, ""},
		{"once claim in use", st.Pod("p", uses("once")), []*v1.Pod{st.Pod("q", uses("once"), st.On("n"))}, ErrReasonReadWriteOncePodConflict},
		{"same name elsewhere", st.Pod("p", uses("once")), []*v1.Pod{st.Pod("q", uses("once"), st.On("n"), st.Namespace("other"))}, ""},
		{"missing claim", st.Pod("p", uses("nope")), nil, `persistentvolumeclaim "nope" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := st.Info(st.Node("n"), tt.placed...)
			state := framework.NewCycleState(framework.NewSnapshot([]*framework.NodeInfo{node}))
			pre := pl.PreFilter(context.Background(), state, tt.pod)
			got := ""
			switch {
			case pre.IsSkip():
				got = "skip"
			case !pre.IsSuccess():
				got = pre.Message()
			default:
				got = pl.Filter(context.Background(), state, tt.pod, node).Message()
			}
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}
