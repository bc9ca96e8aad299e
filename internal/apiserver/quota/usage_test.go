package quota

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
)

func TestUsage(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	small := list("cpu", "250m", "memory", "64Mi")
	deleting := func(ago time.Duration, grace int64) *corev1.Pod {
		p := podWith(container("c", small, small))
		p.DeletionTimestamp = &metav1.Time{Time: now.Add(-ago)}
		p.DeletionGracePeriodSeconds = ptr.To(grace)
		return p
	}
	phase := func(p corev1.PodPhase) *corev1.Pod {
		pod := podWith(container("c", small, small))
		pod.Status.Phase = p
		return pod
	}
	withInit := podWith(container("a", list("cpu", "100m"), nil), container("b", list("cpu", "100m"), nil))
	withInit.Spec.InitContainers = []corev1.Container{container("init", list("cpu", "1", "memory", "1Gi"), list("memory", "2Gi"))}
	podLevel := podWith(container("c", list("cpu", "100m"), nil))
	podLevel.Spec.Resources = &corev1.ResourceRequirements{Requests: list("cpu", "2"), Limits: list("cpu", "4")}
	resizing := podWith(container("c", list("cpu", "100m"), nil))
	resizing.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "c",
		AllocatedResources: list("cpu", "1"), Resources: &corev1.ResourceRequirements{Requests: list("cpu", "1")}}}
	withOverhead := podWith(container("c", list("cpu", "100m"), nil))
	withOverhead.Spec.Overhead = list("cpu", "50m")

	service := func(typ corev1.ServiceType, allocate *bool, nodePorts ...int32) *corev1.Service {
		s := &corev1.Service{Spec: corev1.ServiceSpec{Type: typ, AllocateLoadBalancerNodePorts: allocate}}
		for i, np := range nodePorts {
			s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Port: int32(80 + i), NodePort: np})
		}
		return s
	}
	claim := func(class *string, annotation string, request string, allocated string) *corev1.PersistentVolumeClaim {
		c := &corev1.PersistentVolumeClaim{Spec: corev1.PersistentVolumeClaimSpec{StorageClassName: class}}
		if annotation != "" {
			c.Annotations = map[string]string{corev1.BetaStorageClassAnnotation: annotation}
		}
		if request != "" {
			c.Spec.Resources.Requests = list("storage", request)
		}
		if allocated != "" {
			c.Status.AllocatedResources = list("storage", allocated)
		}
		return c
	}

	tests := []struct {
		name string
		gr   schema.GroupResource
		obj  runtime.Object
		want corev1.ResourceList
	}{
		{name: "pod: count, pods and compute", gr: PodsResource, obj: podWith(container("c", small, list("cpu", "500m"))),
			want: list("count/pods", "1", "pods", "1", "cpu", "250m", "requests.cpu", "250m", "memory", "64Mi",
				"requests.memory", "64Mi", "limits.cpu", "500m")},
		{name: "pod without resources", gr: PodsResource, obj: podWith(container("c", nil, nil)),
			want: list("count/pods", "1", "pods", "1")},
		{name: "succeeded pod: count/pods only", gr: PodsResource, obj: phase(corev1.PodSucceeded), want: list("count/pods", "1")},
		{name: "failed pod: count/pods only", gr: PodsResource, obj: phase(corev1.PodFailed), want: list("count/pods", "1")},
		{name: "running pod", gr: PodsResource, obj: phase(corev1.PodRunning),
			want: list("count/pods", "1", "pods", "1", "cpu", "250m", "requests.cpu", "250m", "memory", "64Mi",
				"requests.memory", "64Mi", "limits.cpu", "250m", "limits.memory", "64Mi")},
		{name: "deleting, within its grace", gr: PodsResource, obj: deleting(10*time.Second, 30),
			want: list("count/pods", "1", "pods", "1", "cpu", "250m", "requests.cpu", "250m", "memory", "64Mi",
				"requests.memory", "64Mi", "limits.cpu", "250m", "limits.memory", "64Mi")},
		{name: "deleting, past its grace", gr: PodsResource, obj: deleting(time.Minute, 30), want: list("count/pods", "1")},
		{name: "init containers: the larger of them and the sum of the rest", gr: PodsResource, obj: withInit,
			want: list("count/pods", "1", "pods", "1", "cpu", "1", "requests.cpu", "1", "memory", "1Gi",
				"requests.memory", "1Gi", "limits.memory", "2Gi")},
		{name: "pod-level resources win", gr: PodsResource, obj: podLevel,
			want: list("count/pods", "1", "pods", "1", "cpu", "2", "requests.cpu", "2", "limits.cpu", "4")},
		{name: "being resized down: what it was given until done", gr: PodsResource, obj: resizing,
			want: list("count/pods", "1", "pods", "1", "cpu", "1", "requests.cpu", "1")},
		{name: "overhead counts", gr: PodsResource, obj: withOverhead,
			want: list("count/pods", "1", "pods", "1", "cpu", "150m", "requests.cpu", "150m")},
		{name: "hugepages and extended resources by request", gr: PodsResource,
			obj: podWith(container("c", list("hugepages-2Mi", "4Mi", "example.com/gpu", "2", "ephemeral-storage", "1Gi"),
				list("hugepages-2Mi", "4Mi", "example.com/gpu", "2", "ephemeral-storage", "2Gi"))),
			want: list("count/pods", "1", "pods", "1", "hugepages-2Mi", "4Mi", "requests.hugepages-2Mi", "4Mi",
				"requests.example.com/gpu", "2", "ephemeral-storage", "1Gi", "requests.ephemeral-storage", "1Gi",
				"limits.ephemeral-storage", "2Gi")},
		{name: "kubernetes.io names are not extended resources", gr: PodsResource,
			obj:  podWith(container("c", list("foo.kubernetes.io/bar", "1"), nil)),
			want: list("count/pods", "1", "pods", "1")},

		{name: "cluster IP service", gr: ServicesResource, obj: service(corev1.ServiceTypeClusterIP, nil, 0, 0),
			want: list("count/services", "1", "services", "1", "services.nodeports", "0", "services.loadbalancers", "0")},
		{name: "node port service: a node port per port", gr: ServicesResource, obj: service(corev1.ServiceTypeNodePort, nil, 0, 0),
			want: list("count/services", "1", "services", "1", "services.nodeports", "2", "services.loadbalancers", "0")},
		{name: "load balancer", gr: ServicesResource, obj: service(corev1.ServiceTypeLoadBalancer, nil, 0, 0, 0),
			want: list("count/services", "1", "services", "1", "services.nodeports", "3", "services.loadbalancers", "1")},
		{name: "load balancer without node ports but for the ones asked", gr: ServicesResource,
			obj:  service(corev1.ServiceTypeLoadBalancer, ptr.To(false), 0, 30001, 0),
			want: list("count/services", "1", "services", "1", "services.nodeports", "1", "services.loadbalancers", "1")},

		{name: "claim with a class", gr: ClaimsResource, obj: claim(ptr.To("fast"), "", "5Gi", ""),
			want: list("count/persistentvolumeclaims", "1", "persistentvolumeclaims", "1", "requests.storage", "5Gi",
				"fast.storageclass.storage.k8s.io/persistentvolumeclaims", "1", "fast.storageclass.storage.k8s.io/requests.storage", "5Gi")},
		{name: "claim without class nor request", gr: ClaimsResource, obj: claim(nil, "", "", ""),
			want: list("count/persistentvolumeclaims", "1", "persistentvolumeclaims", "1")},
		{name: "the beta annotation wins over the class name", gr: ClaimsResource, obj: claim(ptr.To("fast"), "slow", "1Gi", ""),
			want: list("count/persistentvolumeclaims", "1", "persistentvolumeclaims", "1", "requests.storage", "1Gi",
				"slow.storageclass.storage.k8s.io/persistentvolumeclaims", "1", "slow.storageclass.storage.k8s.io/requests.storage", "1Gi")},
		{name: "allocated more than requested (expansion being undone)", gr: ClaimsResource, obj: claim(nil, "", "1Gi", "3Gi"),
			want: list("count/persistentvolumeclaims", "1", "persistentvolumeclaims", "1", "requests.storage", "3Gi")},
		{name: "allocated less than requested", gr: ClaimsResource, obj: claim(nil, "", "2Gi", "1Gi"),
			want: list("count/persistentvolumeclaims", "1", "persistentvolumeclaims", "1", "requests.storage", "2Gi")},
		{name: "storage rounded up to whole bytes", gr: ClaimsResource, obj: claim(nil, "", "1500m", ""),
			want: list("count/persistentvolumeclaims", "1", "persistentvolumeclaims", "1", "requests.storage", "2")},

		{name: "configmap: both count names", gr: corev1.Resource("configmaps"), obj: &corev1.ConfigMap{},
			want: list("count/configmaps", "1", "configmaps", "1")},
		{name: "deployment: its count", gr: deployments, obj: &appsv1.Deployment{},
			want: list("count/deployments.apps", "1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Usage(tt.gr, tt.obj, now)
			expectList(t, got, tt.want)
			// Whatever an object uses, its resource's evaluator tracks,
			// and the controller finds the way back.
			for name := range got {
				if !Tracks(tt.gr, name) {
					t.Errorf("%s used but not tracked for %v", name, tt.gr)
				}
				if gr, ok := ResourceFor(name); !ok || gr != tt.gr {
					t.Errorf("ResourceFor(%s) = %v %v, want %v", name, gr, ok, tt.gr)
				}
			}
		})
	}
}

func TestComputeUsage(t *testing.T) {
	tests := []struct {
		name             string
		requests, limits corev1.ResourceList
		want             corev1.ResourceList
	}{
		{name: "nothing", want: list()},
		{name: "cpu and memory", requests: list("cpu", "1", "memory", "1Gi"), limits: list("cpu", "2"),
			want: list("cpu", "1", "requests.cpu", "1", "memory", "1Gi", "requests.memory", "1Gi", "limits.cpu", "2")},
		{name: "limits of extended resources and hugepages are not quota'd", limits: list("example.com/gpu", "1", "hugepages-2Mi", "2Mi"),
			want: list()},
		{name: "names that cannot be extended resources", requests: list("kubernetes.io/x", "1", "requests.example.com/gpu", "1", "storage", "1Gi"),
			want: list()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectList(t, ComputeUsage(tt.requests, tt.limits), tt.want)
		})
	}
}

func TestPodCounts(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name     string
		phase    corev1.PodPhase
		deletion *time.Time
		grace    *int64
		want     bool
	}{
		{name: "pending", phase: corev1.PodPending, want: true},
		{name: "running", phase: corev1.PodRunning, want: true},
		{name: "unknown", phase: corev1.PodUnknown, want: true},
		{name: "succeeded", phase: corev1.PodSucceeded},
		{name: "failed", phase: corev1.PodFailed},
		{name: "deletion without grace recorded", phase: corev1.PodRunning, deletion: ptr.To(now.Add(-time.Hour)), want: true},
		{name: "deleting, grace not over", phase: corev1.PodRunning, deletion: ptr.To(now.Add(-10 * time.Second)), grace: ptr.To[int64](30), want: true},
		{name: "deleting, grace over", phase: corev1.PodRunning, deletion: ptr.To(now.Add(-31 * time.Second)), grace: ptr.To[int64](30)},
	}
	for _, tt := range tests {
		p := &corev1.Pod{Status: corev1.PodStatus{Phase: tt.phase}}
		if tt.deletion != nil {
			p.DeletionTimestamp = &metav1.Time{Time: *tt.deletion}
		}
		p.DeletionGracePeriodSeconds = tt.grace
		if got := PodCounts(p, now); got != tt.want {
			t.Errorf("%s: PodCounts = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestAdd(t *testing.T) {
	a := list("cpu", "500m", "pods", "1")
	Add(a, list("cpu", "1", "memory", "1Gi"))
	expectList(t, a, list("cpu", "1500m", "pods", "1", "memory", "1Gi"))
}
