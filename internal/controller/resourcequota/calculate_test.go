package resourcequota

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
)

func list(kv ...string) corev1.ResourceList {
	l := corev1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		l[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return l
}

func pod(name string, phase corev1.PodPhase, requests, limits corev1.ResourceList) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c",
			Resources: corev1.ResourceRequirements{Requests: requests, Limits: limits}}}},
		Status: corev1.PodStatus{Phase: phase},
	}
}

func TestUsed(t *testing.T) {
	now := time.Now()
	small := list("cpu", "250m", "memory", "64Mi")
	running := pod("a", corev1.PodRunning, small, small)
	pending := pod("b", corev1.PodPending, small, list("cpu", "500m"))
	done := pod("c", corev1.PodSucceeded, small, small)
	gone := pod("d", corev1.PodRunning, small, small)
	gone.DeletionTimestamp = &metav1.Time{Time: now.Add(-time.Minute)}
	gone.DeletionGracePeriodSeconds = ptr.To[int64](30)
	deadline := pod("e", corev1.PodRunning, nil, nil)
	deadline.Spec.ActiveDeadlineSeconds = ptr.To[int64](60)
	pods := []*corev1.Pod{running, pending, done, gone, deadline}

	services := []*corev1.Service{
		{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, Ports: []corev1.ServicePort{{Port: 80}}}},
		{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Ports: []corev1.ServicePort{{Port: 80}, {Port: 81}}}},
		{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Ports: []corev1.ServicePort{{Port: 443}}}},
	}
	claims := []*corev1.PersistentVolumeClaim{
		{Spec: corev1.PersistentVolumeClaimSpec{StorageClassName: ptr.To("fast"),
			Resources: corev1.VolumeResourceRequirements{Requests: list("storage", "1Gi")}}},
		{Spec: corev1.PersistentVolumeClaimSpec{Resources: corev1.VolumeResourceRequirements{Requests: list("storage", "2Gi")}}},
	}
	counts := map[schema.GroupResource]int64{
		corev1.Resource("configmaps"):                         3,
		{Group: "apps", Resource: "deployments"}:              2,
		corev1.Resource("secrets"):                            0,
		{Group: "example.com", Resource: "widgets"}:           9,
		{Group: "batch", Resource: "jobs"}:                    4,
		{Group: "policy", Resource: "poddisruptionbudgets"}:   1,
		{Group: "unused.example.com", Resource: "unlisted"}:   1,
		{Group: "storage.k8s.io", Resource: "storageclasses"}: 1,
	}
	inv := inventory{pods: pods, services: services, claims: claims, counts: counts}

	tests := []struct {
		name   string
		hard   corev1.ResourceList
		scopes []corev1.ResourceQuotaScope
		old    corev1.ResourceList
		inv    *inventory // nil: the one above
		want   corev1.ResourceList
	}{
		{name: "pods not terminal nor past their grace, count/pods all stored",
			hard: list("pods", "10", "count/pods", "10"),
			want: list("pods", "3", "count/pods", "5")},
		{name: "compute requests and limits",
			hard: list("requests.cpu", "4", "cpu", "4", "limits.cpu", "4", "requests.memory", "1Gi", "limits.memory", "1Gi"),
			want: list("requests.cpu", "500m", "cpu", "500m", "limits.cpu", "750m", "requests.memory", "128Mi", "limits.memory", "64Mi")},
		{name: "scope Terminating counts only pods with a deadline",
			hard: list("pods", "10"), scopes: []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeTerminating},
			want: list("pods", "1")},
		{name: "scope BestEffort",
			hard: list("pods", "10"), scopes: []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeBestEffort},
			want: list("pods", "1")},
		{name: "scoped quota counts no services",
			hard: list("pods", "10", "services", "5"), scopes: []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeNotTerminating},
			want: list("pods", "2", "services", "0")},
		{name: "services, node ports and load balancers",
			hard: list("services", "10", "services.nodeports", "10", "services.loadbalancers", "10", "count/services", "10"),
			want: list("services", "3", "services.nodeports", "3", "services.loadbalancers", "1", "count/services", "3")},
		{name: "claims and storage, per class",
			hard: list("persistentvolumeclaims", "5", "requests.storage", "10Gi",
				"fast.storageclass.storage.k8s.io/requests.storage", "5Gi", "fast.storageclass.storage.k8s.io/persistentvolumeclaims", "2"),
			want: list("persistentvolumeclaims", "2", "requests.storage", "3Gi",
				"fast.storageclass.storage.k8s.io/requests.storage", "1Gi", "fast.storageclass.storage.k8s.io/persistentvolumeclaims", "1")},
		{name: "object counts, legacy and generic",
			hard: list("configmaps", "5", "count/configmaps", "5", "secrets", "5", "count/deployments.apps", "5", "count/widgets.example.com", "20"),
			want: list("configmaps", "3", "count/configmaps", "3", "secrets", "0", "count/deployments.apps", "2", "count/widgets.example.com", "9")},
		{name: "nothing exists: zeros",
			hard: list("pods", "2", "requests.cpu", "1", "count/jobs.batch", "1"), inv: &inventory{},
			want: list("pods", "0", "requests.cpu", "0", "count/jobs.batch", "0")},
		{name: "unknown names keep their old usage, dropped names go",
			hard: list("pods", "2", "something.odd", "1"), old: list("something.odd", "1", "services", "4"),
			want: list("pods", "3", "something.odd", "1")},
		{name: "names no evaluator tracks keep their old usage, as upstream",
			hard: list("limits.example.com/gpu", "4", "limits.hugepages-2Mi", "1", "gold.storageclass.storage.k8s.io/snapshots", "3", "requests.cpu", "4"),
			old:  list("limits.example.com/gpu", "2", "gold.storageclass.storage.k8s.io/snapshots", "1"),
			want: list("limits.example.com/gpu", "2", "gold.storageclass.storage.k8s.io/snapshots", "1", "requests.cpu", "500m")},
		{name: "scope BestEffort ignores ephemeral containers",
			hard: list("pods", "10"), scopes: []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeBestEffort},
			inv: &inventory{pods: []*corev1.Pod{func() *corev1.Pod {
				p := pod("debugged", corev1.PodRunning, nil, nil)
				p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "dbg",
					Resources: corev1.ResourceRequirements{Requests: list("cpu", "100m")}}}}
				return p
			}()}},
			want: list("pods", "1")},
		{name: "uncounted resources keep their old usage",
			hard: list("count/gadgets.example.com", "3"), old: list("count/gadgets.example.com", "2"),
			inv:  &inventory{uncounted: []schema.GroupResource{{Group: "example.com", Resource: "gadgets"}}},
			want: list("count/gadgets.example.com", "2")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := &corev1.ResourceQuota{Spec: corev1.ResourceQuotaSpec{Hard: tt.hard, Scopes: tt.scopes},
				Status: corev1.ResourceQuotaStatus{Used: tt.old}}
			in := inv
			if tt.inv != nil {
				in = *tt.inv
			}
			got, err := used(q, in, now)
			if err != nil {
				t.Fatal(err)
			}
			if !equalLists(got, tt.want) {
				t.Errorf("used = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestUpToDate(t *testing.T) {
	q := &corev1.ResourceQuota{Spec: corev1.ResourceQuotaSpec{Hard: list("cpu", "1")},
		Status: corev1.ResourceQuotaStatus{Hard: list("cpu", "1000m"), Used: list("cpu", "500m")}}
	if !upToDate(q, list("cpu", "0.5")) {
		t.Error("equal quantities in other forms must count as up to date")
	}
	if upToDate(q, list("cpu", "600m")) {
		t.Error("changed usage is not up to date")
	}
	q.Spec.Hard = list("cpu", "2")
	if upToDate(q, list("cpu", "500m")) {
		t.Error("changed hard is not up to date")
	}
}
