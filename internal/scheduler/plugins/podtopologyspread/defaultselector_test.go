package podtopologyspread

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	appslisters "k8s.io/client-go/listers/apps/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	st "github.com/hanok-dev/hanok/internal/scheduler/schedtest"
)

func TestDefaultSelector(t *testing.T) {
	idx := func(objs ...any) cache.Indexer {
		i := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
		for _, o := range objs {
			_ = i.Add(o)
		}
		return i
	}
	svc := &v1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns"}, Spec: v1.ServiceSpec{Selector: map[string]string{"app": "web"}}}
	other := &v1.Service{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "ns"}, Spec: v1.ServiceSpec{Selector: map[string]string{"app": "db"}}}
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "web-123", Namespace: "ns"},
		Spec: appsv1.ReplicaSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web", "hash": "123"}}}}
	l := &Listers{
		Services:               corelisters.NewServiceLister(idx(svc, other)),
		ReplicationControllers: corelisters.NewReplicationControllerLister(idx()),
		ReplicaSets:            appslisters.NewReplicaSetLister(idx(rs)),
		StatefulSets:           appslisters.NewStatefulSetLister(idx()),
	}
	yes := true
	owned := func(p *v1.Pod) {
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-123", Controller: &yes}}
	}
	tests := []struct {
		name    string
		pod     *v1.Pod
		matches labels.Set
		misses  labels.Set
		empty   bool
	}{
		{"no service, no owner", st.Pod("p", st.Labels("app", "cli")), nil, nil, true},
		{"service selects it", st.Pod("p", st.Labels("app", "web")), labels.Set{"app": "web"}, labels.Set{"app": "db"}, false},
		{"service and ReplicaSet", st.Pod("p", st.Labels("app", "web", "hash", "123"), owned),
			labels.Set{"app": "web", "hash": "123"}, labels.Set{"app": "web", "hash": "456"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel := l.DefaultSelector(tt.pod)
			if sel.Empty() != tt.empty {
				t.Fatalf("selector %q empty=%v", sel, sel.Empty())
			}
			if tt.matches != nil && !sel.Matches(tt.matches) {
				t.Errorf("%q does not match %v", sel, tt.matches)
			}
			if tt.misses != nil && sel.Matches(tt.misses) {
				t.Errorf("%q matches %v", sel, tt.misses)
			}
		})
	}
}
