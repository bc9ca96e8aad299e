package plugins

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/utils/ptr"

	"github.com/hanok-dev/hanok/internal/apiserver/admission"
)

func quota(name string, hard, used corev1.ResourceList, scopes ...corev1.ResourceQuotaScope) *corev1.ResourceQuota {
	return &corev1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, UID: types.UID("uid-q-" + name)},
		Spec:       corev1.ResourceQuotaSpec{Hard: hard, Scopes: scopes},
		Status:     corev1.ResourceQuotaStatus{Hard: hard, Used: used},
	}
}

// fixedCounter counts every resource as n.
type fixedCounter int64

func (c fixedCounter) CountObjects(context.Context, string, schema.GroupResource) (int64, error) {
	return int64(c), nil
}

func TestResourceQuota(t *testing.T) {
	servicesGVR := corev1.SchemeGroupVersion.WithResource("services")
	claimsGVR := corev1.SchemeGroupVersion.WithResource("persistentvolumeclaims")
	service := func(typ corev1.ServiceType, ports int) *corev1.Service {
		s := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "svc"}, Spec: corev1.ServiceSpec{Type: typ}}
		for i := 0; i < ports; i++ {
			s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Port: int32(80 + i)})
		}
		return s
	}
	claim := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "data"},
		Spec: corev1.PersistentVolumeClaimSpec{StorageClassName: ptr.To("fast"),
			Resources: corev1.VolumeResourceRequirements{Requests: list("storage", "5Gi")}}}
	deployment := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "web"}}
	finished := pod("ns", "done")
	finished.Status.Phase = corev1.PodSucceeded
	small := reqs(list("cpu", "500m", "memory", "128Mi"), list("cpu", "500m", "memory", "128Mi"))
	withClass := func(class string) *corev1.Pod { p := pod("ns", "p"); p.Spec.PriorityClassName = class; return p }

	tests := []struct {
		name     string
		quotas   []*corev1.ResourceQuota
		existing []runtime.Object // pods and services the listers show
		counter  ObjectCounter
		a        *admission.Attributes
		want     string
		used     map[string]string // quota name -> "res=qty,..." after, "" = unchanged
	}{
		{name: "pod within count",
			quotas: []*corev1.ResourceQuota{quota("q", list("pods", "2"), list("pods", "1"))},
			a:      createPod(pod("ns", "p")), used: map[string]string{"q": "pods=2"}},
		{name: "pod over count",
			quotas: []*corev1.ResourceQuota{quota("q", list("pods", "2"), list("pods", "2"))},
			a:      createPod(pod("ns", "p")),
			want:   `pods "p" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2`},
		{name: "compute within",
			quotas: []*corev1.ResourceQuota{quota("compute", list("requests.cpu", "1", "limits.memory", "1Gi"), list("requests.cpu", "250m", "limits.memory", "0"))},
			a:      createPod(pod("ns", "p", small)), used: map[string]string{"compute": "limits.memory=128Mi,requests.cpu=750m"}},
		{name: "compute over",
			quotas: []*corev1.ResourceQuota{quota("compute", list("requests.cpu", "1", "requests.memory", "1Gi"), list("requests.cpu", "750m", "requests.memory", "0"))},
			a:      createPod(pod("ns", "p", small)),
			want:   `pods "p" is forbidden: exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=750m, limited: requests.cpu=1`},
		{name: "cpu and memory alone mean requests",
			quotas: []*corev1.ResourceQuota{quota("compute", list("cpu", "1", "memory", "1Gi"), list("cpu", "0", "memory", "0"))},
			a:      createPod(pod("ns", "p", small)), used: map[string]string{"compute": "cpu=500m,memory=128Mi"}},
		{name: "limits must be stated",
			quotas: []*corev1.ResourceQuota{quota("compute", list("limits.cpu", "2", "requests.memory", "1Gi"), list("limits.cpu", "0", "requests.memory", "0"))},
			a:      createPod(pod("ns", "p", reqs(list("cpu", "1"), nil), small)),
			want:   `pods "p" is forbidden: failed quota: compute: must specify limits.cpu for: c0; requests.memory for: c0`},
		{name: "unknown usage counted from the lister",
			quotas:   []*corev1.ResourceQuota{quota("q", list("pods", "3"), nil)},
			existing: []runtime.Object{pod("ns", "a"), finished, pod("other", "b")},
			a:        createPod(pod("ns", "p")), used: map[string]string{"q": "pods=2"}},
		{name: "unknown usage already full",
			quotas:   []*corev1.ResourceQuota{quota("q", list("pods", "2"), nil)},
			existing: []runtime.Object{pod("ns", "a"), pod("ns", "b")},
			a:        createPod(pod("ns", "p")),
			want:     `pods "p" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2`},
		{name: "node ports",
			quotas: []*corev1.ResourceQuota{quota("svc", list("services", "5", "services.nodeports", "1"), list("services", "0", "services.nodeports", "0"))},
			a:      attrs(admission.Create, servicesGVR, "Service", service(corev1.ServiceTypeNodePort, 2), nil),
			want:   `services "svc" is forbidden: exceeded quota: svc, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1`},
		{name: "cluster IP service",
			quotas: []*corev1.ResourceQuota{quota("svc", list("services", "5", "services.nodeports", "1"), list("services", "1", "services.nodeports", "0"))},
			a:      attrs(admission.Create, servicesGVR, "Service", service(corev1.ServiceTypeClusterIP, 2), nil),
			used:   map[string]string{"svc": "services=2,services.nodeports=0"}},
		{name: "update to a load balancer",
			quotas: []*corev1.ResourceQuota{quota("svc", list("services.loadbalancers", "1"), list("services.loadbalancers", "1"))},
			a: attrs(admission.Update, servicesGVR, "Service", service(corev1.ServiceTypeLoadBalancer, 1),
				service(corev1.ServiceTypeClusterIP, 1)),
			want: `services "svc" is forbidden: exceeded quota: svc, requested: services.loadbalancers=1, used: services.loadbalancers=1, limited: services.loadbalancers=1`},
		{name: "update that changes nothing counted",
			quotas: []*corev1.ResourceQuota{quota("svc", list("services", "1"), list("services", "1"))},
			a:      attrs(admission.Update, servicesGVR, "Service", service(corev1.ServiceTypeClusterIP, 2), service(corev1.ServiceTypeClusterIP, 1))},
		{name: "claim storage",
			quotas: []*corev1.ResourceQuota{quota("storage", list("requests.storage", "10Gi", "fast.storageclass.storage.k8s.io/persistentvolumeclaims", "5"),
				list("requests.storage", "8Gi", "fast.storageclass.storage.k8s.io/persistentvolumeclaims", "0"))},
			a:    attrs(admission.Create, claimsGVR, "PersistentVolumeClaim", claim, nil),
			want: `persistentvolumeclaims "data" is forbidden: exceeded quota: storage, requested: requests.storage=5Gi, used: requests.storage=8Gi, limited: requests.storage=10Gi`},
		{name: "claim charged to the class its beta annotation names",
			quotas: []*corev1.ResourceQuota{quota("slow", list("slow.storageclass.storage.k8s.io/requests.storage", "4Gi"),
				list("slow.storageclass.storage.k8s.io/requests.storage", "0"))},
			a: attrs(admission.Create, claimsGVR, "PersistentVolumeClaim", func() *corev1.PersistentVolumeClaim {
				c := claim.DeepCopy()
				c.Annotations = map[string]string{corev1.BetaStorageClassAnnotation: "slow"}
				return c
			}(), nil),
			want: `persistentvolumeclaims "data" is forbidden: exceeded quota: slow, requested: slow.storageclass.storage.k8s.io/requests.storage=5Gi, used: slow.storageclass.storage.k8s.io/requests.storage=0, limited: slow.storageclass.storage.k8s.io/requests.storage=4Gi`},
		{name: "count of any resource",
			quotas:  []*corev1.ResourceQuota{quota("objects", list("count/deployments.apps", "4"), nil)},
			counter: fixedCounter(3),
			a:       attrs(admission.Create, appsv1.SchemeGroupVersion.WithResource("deployments"), "Deployment", deployment, nil),
			used:    map[string]string{"objects": "count/deployments.apps=4"}},
		{name: "count that cannot be known",
			quotas: []*corev1.ResourceQuota{quota("objects", list("count/deployments.apps", "4"), nil)},
			a:      attrs(admission.Create, appsv1.SchemeGroupVersion.WithResource("deployments"), "Deployment", deployment, nil),
			want:   `deployments.apps "web" is forbidden: status unknown for quota: objects, resources: count/deployments.apps`},
		{name: "legacy and new names",
			quotas:  []*corev1.ResourceQuota{quota("cm", list("configmaps", "10", "count/configmaps", "10"), nil)},
			counter: fixedCounter(2),
			a: attrs(admission.Create, corev1.SchemeGroupVersion.WithResource("configmaps"), "ConfigMap",
				&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "c"}}, nil),
			used: map[string]string{"cm": "configmaps=3,count/configmaps=3"}},
		{name: "best-effort scope skips a pod with requests",
			quotas: []*corev1.ResourceQuota{quota("be", list("pods", "1"), list("pods", "1"), corev1.ResourceQuotaScopeBestEffort)},
			a:      createPod(pod("ns", "p", small))},
		{name: "best-effort scope counts a best-effort pod",
			quotas: []*corev1.ResourceQuota{quota("be", list("pods", "1"), list("pods", "1"), corev1.ResourceQuotaScopeBestEffort)},
			a:      createPod(pod("ns", "p")),
			want:   `pods "p" is forbidden: exceeded quota: be, requested: pods=1, used: pods=1, limited: pods=1`},
		{name: "priority class scope",
			quotas: []*corev1.ResourceQuota{func() *corev1.ResourceQuota {
				q := quota("critical", list("pods", "0"), list("pods", "0"))
				q.Spec.ScopeSelector = &corev1.ScopeSelector{MatchExpressions: []corev1.ScopedResourceSelectorRequirement{{
					ScopeName: corev1.ResourceQuotaScopePriorityClass, Operator: corev1.ScopeSelectorOpIn, Values: []string{"high"}}}}
				return q
			}()},
			a:    createPod(withClass("high")),
			want: `pods "p" is forbidden: exceeded quota: critical, requested: pods=1, used: pods=0, limited: pods=0`},
		{name: "priority class scope, other class",
			quotas: []*corev1.ResourceQuota{func() *corev1.ResourceQuota {
				q := quota("critical", list("pods", "0"), list("pods", "0"))
				q.Spec.ScopeSelector = &corev1.ScopeSelector{MatchExpressions: []corev1.ScopedResourceSelectorRequirement{{
					ScopeName: corev1.ResourceQuotaScopePriorityClass, Operator: corev1.ScopeSelectorOpIn, Values: []string{"high"}}}}
				return q
			}()},
			a: createPod(withClass("low"))},
		{name: "dry run checks but does not charge",
			quotas: []*corev1.ResourceQuota{quota("q", list("pods", "2"), list("pods", "1"))},
			a:      func() *admission.Attributes { a := createPod(pod("ns", "p")); a.DryRun = true; return a }()},
		{name: "other namespace",
			quotas: []*corev1.ResourceQuota{quota("q", list("pods", "0"), list("pods", "0"))},
			a:      createPod(pod("free", "p"))},
		{name: "events are never counted",
			quotas: []*corev1.ResourceQuota{quota("q", list("count/events", "0"), list("count/events", "0"))},
			a: attrs(admission.Create, corev1.SchemeGroupVersion.WithResource("events"), "Event",
				&corev1.Event{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "e"}}, nil)},
		{name: "deletes release nothing",
			quotas: []*corev1.ResourceQuota{quota("q", list("pods", "2"), list("pods", "2"))},
			a:      attrs(admission.Delete, podGVR, "Pod", nil, pod("ns", "p"))},
		{name: "two quotas, both charged",
			quotas: []*corev1.ResourceQuota{quota("a", list("pods", "5"), list("pods", "1")), quota("b", list("count/pods", "5"), list("count/pods", "3"))},
			a:      createPod(pod("ns", "p")), used: map[string]string{"a": "pods=2", "b": "count/pods=4"}},
		{name: "two quotas, one full: neither charged",
			quotas: []*corev1.ResourceQuota{quota("a", list("pods", "5"), list("pods", "1")), quota("b", list("count/pods", "3"), list("count/pods", "3"))},
			a:      createPod(pod("ns", "p")),
			want:   `pods "p" is forbidden: exceeded quota: b, requested: count/pods=1, used: count/pods=3, limited: count/pods=3`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newQuotaStore(tt.quotas...)
			// The lister shows what the store holds, resourceVersions included.
			var stored []runtime.Object
			for _, q := range tt.quotas {
				stored = append(stored, store.get(q.Namespace, q.Name))
			}
			var pods, services []runtime.Object
			for _, o := range tt.existing {
				switch o.(type) {
				case *corev1.Pod:
					pods = append(pods, o)
				case *corev1.Service:
					services = append(services, o)
				}
			}
			plugin := &ResourceQuota{
				Quotas:   corelisters.NewResourceQuotaLister(indexer(t, stored...)),
				Client:   store,
				Pods:     corelisters.NewPodLister(indexer(t, pods...)),
				Services: corelisters.NewServiceLister(indexer(t, services...)),
				Counter:  tt.counter,
			}
			err := plugin.Validate(context.Background(), tt.a)
			expect(t, err, tt.want)
			if err != nil && !apierrors.IsForbidden(err) {
				t.Errorf("not a 403: %#v", err)
			}
			for _, q := range tt.quotas {
				got := store.get(q.Namespace, q.Name)
				want, changed := tt.used[q.Name]
				if !changed {
					if printUsed(got.Status.Used) != printUsed(q.Status.Used) {
						t.Errorf("quota %s charged: %s", q.Name, printUsed(got.Status.Used))
					}
					continue
				}
				if printUsed(got.Status.Used) != want {
					t.Errorf("quota %s used %s, want %s", q.Name, printUsed(got.Status.Used), want)
				}
				if len(got.Status.Hard) != len(q.Spec.Hard) {
					t.Errorf("quota %s status.hard %v", q.Name, got.Status.Hard)
				}
			}
			if tt.used == nil && store.updates != 0 {
				t.Errorf("%d quota updates, want none", store.updates)
			}
		})
	}
}

func printUsed(l corev1.ResourceList) string {
	var names []corev1.ResourceName
	for n := range l {
		names = append(names, n)
	}
	return prettyPrint(l, names)
}

// TestResourceQuotaConcurrentCreates is the race the plugin exists to
// win: ten pods created at once against a quota of two, through two API
// servers sharing one store (so their charges conflict), with informers
// that never catch up. Exactly two may get in, and the quota must say so.
func TestResourceQuotaConcurrentCreates(t *testing.T) {
	for _, servers := range []int{1, 2} {
		for _, initial := range []corev1.ResourceList{nil, list("pods", "0")} {
			t.Run(fmt.Sprintf("%d servers, status.used %v", servers, initial != nil), func(t *testing.T) {
				store := newQuotaStore(quota("pods", list("pods", "2"), initial))
				stale := store.get("ns", "pods")
				var plugins []*ResourceQuota
				for i := 0; i < servers; i++ {
					plugins = append(plugins, &ResourceQuota{
						Quotas: corelisters.NewResourceQuotaLister(indexer(t, stale)),
						Pods:   corelisters.NewPodLister(indexer(t)),
						Client: store,
					})
				}
				const creates = 10
				errs := make([]error, creates)
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i := 0; i < creates; i++ {
					wg.Add(1)
					go func(i int) {
						defer wg.Done()
						<-start
						errs[i] = plugins[i%servers].Validate(context.Background(), createPod(pod("ns", fmt.Sprintf("p%d", i))))
					}(i)
				}
				close(start)
				wg.Wait()
				admitted := 0
				for _, err := range errs {
					switch {
					case err == nil:
						admitted++
					case !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2"):
						t.Errorf("unexpected refusal: %v", err)
					}
				}
				if admitted != 2 {
					t.Errorf("%d creates admitted, want 2", admitted)
				}
				if used := store.get("ns", "pods").Status.Used; printUsed(used) != "pods=2" {
					t.Errorf("quota used %s, want pods=2", printUsed(used))
				}
				t.Logf("%d charges, %d conflicts retried", store.updates, store.conflicts)
			})
		}
	}
}

// TestResourceQuotaUpdateErrors: an error charging the quota other than a
// conflict refuses the write with that error; a quota deleted meanwhile
// is simply not charged.
func TestResourceQuotaUpdateErrors(t *testing.T) {
	q := quota("q", list("pods", "5"), list("pods", "0"))
	store := newQuotaStore(q)
	lister := corelisters.NewResourceQuotaLister(indexer(t, store.get("ns", "q")))
	plugin := &ResourceQuota{Quotas: lister, Client: store}

	store.fail = apierrors.NewForbidden(corev1.Resource("resourcequotas"), "q", fmt.Errorf("no"))
	if err := plugin.Validate(context.Background(), createPod(pod("ns", "p"))); !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "resourcequotas") {
		t.Errorf("got %v", err)
	}
	store.fail = nil
	store.mu.Lock()
	delete(store.quotas, "ns/q")
	store.mu.Unlock()
	if err := plugin.Validate(context.Background(), createPod(pod("ns", "p"))); err != nil {
		t.Errorf("deleted quota: %v", err)
	}
}

// TestResourceQuotaLiveLookup: a quota the lister does not show yet is
// found by listing live.
func TestResourceQuotaLiveLookup(t *testing.T) {
	store := newQuotaStore(quota("q", list("pods", "1"), list("pods", "1")))
	plugin := &ResourceQuota{Quotas: corelisters.NewResourceQuotaLister(indexer(t)), Client: store}
	err := plugin.Validate(context.Background(), createPod(pod("ns", "p")))
	expect(t, err, `pods "p" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1`)
}
