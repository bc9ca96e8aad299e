package quota

import (
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
	resourcehelper "k8s.io/component-helpers/resource"
)

// What one object uses of a quota, as upstream's quota evaluators count
// it. The admission plugin adds this to a quota's status.used when the
// object is written; the controller sums it over what exists.

func quantity(n int64) resource.Quantity { return *resource.NewQuantity(n, resource.DecimalSI) }

// Usage is what obj, of resource gr, uses under every quota name it
// counts toward. now decides whether a terminating pod still counts.
func Usage(gr schema.GroupResource, obj runtime.Object, now time.Time) corev1.ResourceList {
	switch o := obj.(type) {
	case *corev1.Pod:
		return PodUsage(o, now)
	case *corev1.Service:
		return ServiceUsage(o)
	case *corev1.PersistentVolumeClaim:
		return ClaimUsage(o)
	}
	return CountUsage(gr, 1)
}

// CountUsage is n objects of gr: its count/* name and, where it has one,
// its older name.
func CountUsage(gr schema.GroupResource, n int64) corev1.ResourceList {
	u := corev1.ResourceList{ObjectCountName(gr): quantity(n)}
	if legacy, ok := legacyCountNames[gr]; ok {
		u[legacy] = quantity(n)
	}
	return u
}

// PodUsage: count/pods always (it counts stored objects); pods and
// compute only while the pod counts (PodCounts), so finished or
// long-stuck terminating pods do not block new ones.
func PodUsage(pod *corev1.Pod, now time.Time) corev1.ResourceList {
	u := corev1.ResourceList{ObjectCountName(PodsResource): quantity(1)}
	if !PodCounts(pod, now) {
		return u
	}
	u[corev1.ResourcePods] = quantity(1)
	// As upstream with in-place resize on: a pod being resized uses the
	// larger of what its spec asks and what it was last given, so
	// shrinking releases nothing until the kubelet has done it.
	opts := resourcehelper.PodResourcesOptions{UseStatusResources: true}
	requests := resourcehelper.PodRequests(pod, opts)
	limits := resourcehelper.PodLimits(pod, opts)
	Add(u, ComputeUsage(requests, limits))
	return u
}

// PodCounts is upstream's QuotaV1Pod: terminal pods and pods past their
// deletion grace period no longer count toward pods and compute.
func PodCounts(pod *corev1.Pod, now time.Time) bool {
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return false
	}
	if pod.DeletionTimestamp != nil && pod.DeletionGracePeriodSeconds != nil {
		grace := time.Duration(*pod.DeletionGracePeriodSeconds) * time.Second
		if now.After(pod.DeletionTimestamp.Add(grace)) {
			return false
		}
	}
	return true
}

// ComputeUsage maps requests and limits (a pod's or one container's) to
// quota names: a request for cpu counts as both "cpu" and
// "requests.cpu", a limit as "limits.cpu"; hugepages and extended
// resources by request only.
func ComputeUsage(requests, limits corev1.ResourceList) corev1.ResourceList {
	u := corev1.ResourceList{}
	for name, q := range requests {
		switch {
		case name == corev1.ResourceCPU || name == corev1.ResourceMemory || name == corev1.ResourceEphemeralStorage,
			strings.HasPrefix(string(name), corev1.ResourceHugePagesPrefix):
			u[name] = q.DeepCopy()
			u[corev1.DefaultResourceRequestsPrefix+name] = q.DeepCopy()
		case isExtended(name):
			u[corev1.DefaultResourceRequestsPrefix+name] = q.DeepCopy()
		}
	}
	for name, q := range limits {
		if name == corev1.ResourceCPU || name == corev1.ResourceMemory || name == corev1.ResourceEphemeralStorage {
			u["limits."+name] = q.DeepCopy()
		}
	}
	return u
}

// isExtended: a resource outside kubernetes.io whose quota name,
// requests.<name>, is a valid qualified name.
func isExtended(name corev1.ResourceName) bool {
	if isNative(name) || strings.HasPrefix(string(name), corev1.DefaultResourceRequestsPrefix) {
		return false
	}
	return len(validation.IsQualifiedName(corev1.DefaultResourceRequestsPrefix+string(name))) == 0
}

// ServiceUsage: every service counts; NodePort and LoadBalancer services
// also count their node ports, LoadBalancers themselves.
func ServiceUsage(svc *corev1.Service) corev1.ResourceList {
	u := corev1.ResourceList{
		ObjectCountName(ServicesResource):    quantity(1),
		corev1.ResourceServices:              quantity(1),
		corev1.ResourceServicesNodePorts:     quantity(0),
		corev1.ResourceServicesLoadBalancers: quantity(0),
	}
	ports := int64(len(svc.Spec.Ports))
	switch svc.Spec.Type {
	case corev1.ServiceTypeNodePort:
		u[corev1.ResourceServicesNodePorts] = quantity(ports)
	case corev1.ServiceTypeLoadBalancer:
		if a := svc.Spec.AllocateLoadBalancerNodePorts; a != nil && !*a {
			// Only ports that ask for a node port get one.
			ports = 0
			for _, p := range svc.Spec.Ports {
				if p.NodePort != 0 {
					ports++
				}
			}
		}
		u[corev1.ResourceServicesNodePorts] = quantity(ports)
		u[corev1.ResourceServicesLoadBalancers] = quantity(1)
	}
	return u
}

// ClaimUsage: the claim and its storage, in total and for its storage
// class.
func ClaimUsage(pvc *corev1.PersistentVolumeClaim) corev1.ResourceList {
	u := corev1.ResourceList{
		ObjectCountName(ClaimsResource):       quantity(1),
		corev1.ResourcePersistentVolumeClaims: quantity(1),
	}
	class := claimClass(pvc)
	if class != "" {
		u[corev1.ResourceName(class+storageClassSuffix+string(corev1.ResourcePersistentVolumeClaims))] = quantity(1)
	}
	if q, ok := claimStorage(pvc); ok {
		u[corev1.ResourceRequestsStorage] = q.DeepCopy()
		if class != "" {
			u[corev1.ResourceName(class+storageClassSuffix+string(corev1.ResourceRequestsStorage))] = q
		}
	}
	return u
}

// claimClass is the claim's storage class; the beta annotation, where
// present, wins over spec.storageClassName, as everywhere upstream.
func claimClass(pvc *corev1.PersistentVolumeClaim) string {
	if c, ok := pvc.Annotations[corev1.BetaStorageClassAnnotation]; ok {
		return c
	}
	if pvc.Spec.StorageClassName != nil {
		return *pvc.Spec.StorageClassName
	}
	return ""
}

// claimStorage is the storage a claim holds: what it requests or, while
// an expansion is being recovered from, what was allocated if that is
// more; rounded up to whole bytes, as quota status must be.
func claimStorage(pvc *corev1.PersistentVolumeClaim) (resource.Quantity, bool) {
	q, ok := pvc.Spec.Resources.Requests[corev1.ResourceStorage]
	if a, found := pvc.Status.AllocatedResources[corev1.ResourceStorage]; found && (!ok || a.Cmp(q) > 0) {
		q, ok = a, true
	}
	if !ok {
		return resource.Quantity{}, false
	}
	q = q.DeepCopy()
	q.RoundUp(0)
	return q, true
}

// Add adds b into a.
func Add(a, b corev1.ResourceList) {
	for n, q := range b {
		sum := a[n]
		sum.Add(q)
		a[n] = sum
	}
}
