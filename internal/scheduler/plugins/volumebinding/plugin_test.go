package volumebinding

import (
	"context"
	"testing"

	v1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	storagelisters "k8s.io/client-go/listers/storage/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/hanok-dev/hanok/internal/scheduler/framework"
	st "github.com/hanok-dev/hanok/internal/scheduler/schedtest"
)

func plugin(objs ...any) *Plugin {
	idx := func() cache.Indexer {
		return cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	}
	claims, vols, classes := idx(), idx(), idx()
	for _, o := range objs {
		switch o.(type) {
		case *v1.PersistentVolumeClaim:
			_ = claims.Add(o)
		case *v1.PersistentVolume:
			_ = vols.Add(o)
		case *storagev1.StorageClass:
			_ = classes.Add(o)
		}
	}
	return &Plugin{Claims: corelisters.NewPersistentVolumeClaimLister(claims), Volumes: corelisters.NewPersistentVolumeLister(vols),
		StorageClasses: storagelisters.NewStorageClassLister(classes)}
}

func claim(name, volume, class string) *v1.PersistentVolumeClaim {
	c := &v1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"}, Spec: v1.PersistentVolumeClaimSpec{VolumeName: volume}}
	if class != "" {
		c.Spec.StorageClassName = &class
	}
	return c
}

func localPV(name, node string) *v1.PersistentVolume {
	return &v1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: v1.PersistentVolumeSpec{
		NodeAffinity: &v1.VolumeNodeAffinity{Required: &v1.NodeSelector{NodeSelectorTerms: []v1.NodeSelectorTerm{{
			MatchExpressions: []v1.NodeSelectorRequirement{{Key: v1.LabelHostname, Operator: v1.NodeSelectorOpIn, Values: []string{node}}}}}}}}}
}

func class(name string, mode storagev1.VolumeBindingMode) *storagev1.StorageClass {
	return &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: name}, VolumeBindingMode: &mode}
}

func withClaim(name string) func(*v1.Pod) {
	return func(p *v1.Pod) {
		p.Spec.Volumes = append(p.Spec.Volumes, v1.Volume{Name: name, VolumeSource: v1.VolumeSource{PersistentVolumeClaim: &v1.PersistentVolumeClaimVolumeSource{ClaimName: name}}})
	}
}

func TestFilter(t *testing.T) {
	objs := []any{
		claim("local", "pv-n1", ""), localPV("pv-n1", "n1"),
		claim("plain", "pv-any", ""), &v1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pv-any"}},
		claim("wait", "", "local-path"), class("local-path", storagev1.VolumeBindingWaitForFirstConsumer),
		claim("now", "", "fast"), class("fast", storagev1.VolumeBindingImmediate),
		claim("dangling", "pv-gone", ""),
	}
	tests := []struct {
		name   string
		pod    *v1.Pod
		pre    string // PreFilter rejection, if any
		n1, n2 bool
	}{
		{"no claims", st.Pod("p"), "", true, true},
		{"local volume pins to its node", st.Pod("p", withClaim("local")), "", true, false},
		{"volume without affinity", st.Pod("p", withClaim("plain")), "", true, true},
		{"wait for first consumer goes anywhere", st.Pod("p", withClaim("wait")), "", true, true},
		{"unbound immediate claim", st.Pod("p", withClaim("now")), ErrReasonUnboundClaims, false, false},
		{"missing claim", st.Pod("p", withClaim("nope")), `persistentvolumeclaim "nope" not found`, false, false},
		{"claim bound to a missing volume", st.Pod("p", withClaim("dangling")), "pvc ns/dangling bound to non-existent pv pv-gone", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl := plugin(objs...)
			state := framework.NewCycleState(nil)
			pre := pl.PreFilter(context.Background(), state, tt.pod)
			if tt.pre != "" {
				if pre.Code() != framework.UnschedulableAndUnresolvable || pre.Message() != tt.pre {
					t.Fatalf("PreFilter %v %q, want %q", pre.Code(), pre.Message(), tt.pre)
				}
				return
			}
			if !pre.IsSuccess() && !pre.IsSkip() {
				t.Fatalf("PreFilter: %q", pre.Message())
			}
			for node, want := range map[string]bool{"n1": tt.n1, "n2": tt.n2} {
				got := pl.Filter(context.Background(), state, tt.pod, st.Info(st.Node(node)))
				if got.IsSuccess() != want {
					t.Errorf("%s: fits %v, want %v (%s)", node, got.IsSuccess(), want, got.Message())
				}
				if !want && got.Message() != ErrReasonNodeConflict {
					t.Errorf("reason %q", got.Message())
				}
			}
		})
	}
}
