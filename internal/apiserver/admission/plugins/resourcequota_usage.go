package plugins

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/selection"
	resourcehelper "k8s.io/component-helpers/resource"
)

// What one object uses of a quota, as upstream's quota evaluators count it.
// These are pure functions of the object: the ResourceQuota plugin adds
// them to a quota's status.used, and sums them over existing objects the
// first time a quota is charged.

// objectCountName is count/<resource>[.<group>], the name of the object
// count of any resource.
func objectCountName(gr schema.GroupResource) corev1.ResourceName {
	if gr.Group == "" {
		return corev1.ResourceName("count/" + gr.Resource)
	}
	return corev1.ResourceName("count/" + gr.Resource + "." + gr.Group)
}

// legacyCountNames are the object counts that predate count/*.
var legacyCountNames = map[schema.GroupResource]corev1.ResourceName{
	corev1.Resource("pods"):                   corev1.ResourcePods,
	corev1.Resource("services"):               corev1.ResourceServices,
	corev1.Resource("configmaps"):             corev1.ResourceConfigMaps,
	corev1.Resource("secrets"):                corev1.ResourceSecrets,
	corev1.Resource("persistentvolumeclaims"): corev1.ResourcePersistentVolumeClaims,
	corev1.Resource("replicationcontrollers"): corev1.ResourceReplicationControllers,
	corev1.Resource("resourcequotas"):         corev1.ResourceQuotas,
}

// storageClassSuffix builds the per-class claim quotas,
// <class>.storageclass.storage.k8s.io/{requests.storage,persistentvolumeclaims}.
const storageClassSuffix = ".storageclass.storage.k8s.io/"

var servicesGR = corev1.Resource("services")

// quotaUsage is what obj, of resource gr, uses. now decides whether a
// terminating pod still counts.
func quotaUsage(gr schema.GroupResource, obj runtime.Object, now time.Time) corev1.ResourceList {
	switch o := obj.(type) {
	case *corev1.Pod:
		return podUsage(o, now)
	case *corev1.Service:
		return serviceUsage(o)
	case *corev1.PersistentVolumeClaim:
		return claimUsage(o)
	}
	u := corev1.ResourceList{objectCountName(gr): *resource.NewQuantity(1, resource.DecimalSI)}
	if legacy, ok := legacyCountNames[gr]; ok {
		u[legacy] = *resource.NewQuantity(1, resource.DecimalSI)
	}
	return u
}

// tracks tells whether a quota resource name is one that objects of gr
// use, so that a quota listing it must have its usage known before
// charging, and a pod must state what the quota limits.
func tracks(gr schema.GroupResource, name corev1.ResourceName) bool {
	if name == objectCountName(gr) || name == legacyCountNames[gr] {
		return true
	}
	s := string(name)
	switch gr {
	case podsResource:
		switch name {
		case corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage,
			corev1.ResourceRequestsCPU, corev1.ResourceRequestsMemory, corev1.ResourceRequestsEphemeralStorage,
			corev1.ResourceLimitsCPU, corev1.ResourceLimitsMemory, corev1.ResourceLimitsEphemeralStorage:
			return true
		}
		return strings.HasPrefix(s, corev1.ResourceHugePagesPrefix) ||
			strings.HasPrefix(s, corev1.ResourceRequestsHugePagesPrefix) ||
			// extended resources are quota'd by request only
			strings.HasPrefix(s, corev1.DefaultResourceRequestsPrefix) && strings.Contains(s, "/")
	case servicesGR:
		return name == corev1.ResourceServicesNodePorts || name == corev1.ResourceServicesLoadBalancers
	case claimsResource:
		return name == corev1.ResourceRequestsStorage ||
			strings.Contains(s, storageClassSuffix) &&
				(strings.HasSuffix(s, "/"+string(corev1.ResourceRequestsStorage)) || strings.HasSuffix(s, "/"+string(corev1.ResourcePersistentVolumeClaims)))
	}
	return false
}

func one() resource.Quantity { return *resource.NewQuantity(1, resource.DecimalSI) }

// podUsage: count/pods always (it counts stored objects); pods and compute
// only while the pod is alive, as upstream, so finished or long-stuck
// terminating pods do not block new ones.
func podUsage(pod *corev1.Pod, now time.Time) corev1.ResourceList {
	u := corev1.ResourceList{objectCountName(podsResource): one()}
	if !podCounts(pod, now) {
		return u
	}
	u[corev1.ResourcePods] = one()
	requests := resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{})
	limits := resourcehelper.PodLimits(pod, resourcehelper.PodResourcesOptions{})
	addTo(u, computeUsage(requests, limits))
	return u
}

// podCounts is upstream's QuotaV1Pod: terminal pods and pods past their
// deletion grace period no longer count.
func podCounts(pod *corev1.Pod, now time.Time) bool {
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

// computeUsage maps requests and limits to quota names: a request for cpu
// counts as both "cpu" and "requests.cpu", a limit as "limits.cpu";
// hugepages and extended resources by request only.
func computeUsage(requests, limits corev1.ResourceList) corev1.ResourceList {
	u := corev1.ResourceList{}
	for name, q := range requests {
		switch {
		case name == corev1.ResourceCPU || name == corev1.ResourceMemory || name == corev1.ResourceEphemeralStorage:
			u[name] = q.DeepCopy()
			u[corev1.ResourceName("requests."+string(name))] = q.DeepCopy()
		case strings.HasPrefix(string(name), corev1.ResourceHugePagesPrefix):
			u[name] = q.DeepCopy()
			u[corev1.ResourceName("requests."+string(name))] = q.DeepCopy()
		case strings.Contains(string(name), "/") && !strings.HasPrefix(string(name), corev1.ResourceDefaultNamespacePrefix):
			u[corev1.ResourceName("requests."+string(name))] = q.DeepCopy()
		}
	}
	for name, q := range limits {
		switch {
		case name == corev1.ResourceCPU || name == corev1.ResourceMemory || name == corev1.ResourceEphemeralStorage:
			u[corev1.ResourceName("limits."+string(name))] = q.DeepCopy()
		}
	}
	return u
}

// serviceUsage: every service counts; NodePort and LoadBalancer services
// also count their node ports, LoadBalancers themselves.
func serviceUsage(svc *corev1.Service) corev1.ResourceList {
	u := corev1.ResourceList{
		objectCountName(servicesGR):          one(),
		corev1.ResourceServices:              one(),
		corev1.ResourceServicesNodePorts:     *resource.NewQuantity(0, resource.DecimalSI),
		corev1.ResourceServicesLoadBalancers: *resource.NewQuantity(0, resource.DecimalSI),
	}
	ports := int64(len(svc.Spec.Ports))
	switch svc.Spec.Type {
	case corev1.ServiceTypeNodePort:
		u[corev1.ResourceServicesNodePorts] = *resource.NewQuantity(ports, resource.DecimalSI)
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
		u[corev1.ResourceServicesNodePorts] = *resource.NewQuantity(ports, resource.DecimalSI)
		u[corev1.ResourceServicesLoadBalancers] = one()
	}
	return u
}

// claimUsage: the claim and its requested storage, in total and for its
// storage class.
func claimUsage(pvc *corev1.PersistentVolumeClaim) corev1.ResourceList {
	u := corev1.ResourceList{
		objectCountName(claimsResource):       one(),
		corev1.ResourcePersistentVolumeClaims: one(),
	}
	class := ""
	if pvc.Spec.StorageClassName != nil {
		class = *pvc.Spec.StorageClassName
	} else if c, ok := pvc.Annotations[corev1.BetaStorageClassAnnotation]; ok {
		class = c
	}
	if class != "" {
		u[corev1.ResourceName(class+storageClassSuffix+string(corev1.ResourcePersistentVolumeClaims))] = one()
	}
	if q, ok := pvc.Spec.Resources.Requests[corev1.ResourceStorage]; ok {
		u[corev1.ResourceRequestsStorage] = q.DeepCopy()
		if class != "" {
			u[corev1.ResourceName(class+storageClassSuffix+string(corev1.ResourceRequestsStorage))] = q.DeepCopy()
		}
	}
	return u
}

// podConstraints is upstream's oldest quota rule: when a quota limits cpu
// or memory, every container must state a request (or limit) for it, or
// the quota could not account for it.
func podConstraints(pod *corev1.Pod, limited []corev1.ResourceName) error {
	var required []corev1.ResourceName
	for _, n := range limited {
		switch n {
		case corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceRequestsCPU,
			corev1.ResourceRequestsMemory, corev1.ResourceLimitsCPU, corev1.ResourceLimitsMemory:
			required = append(required, n)
		}
	}
	if len(required) == 0 {
		return nil
	}
	missing := map[corev1.ResourceName][]string{}
	check := func(c *corev1.Container) {
		have := computeUsage(c.Resources.Requests, c.Resources.Limits)
		for _, n := range required {
			if _, ok := have[n]; !ok {
				missing[n] = appendUnique(missing[n], c.Name)
			}
		}
	}
	for i := range pod.Spec.InitContainers {
		check(&pod.Spec.InitContainers[i])
	}
	for i := range pod.Spec.Containers {
		check(&pod.Spec.Containers[i])
	}
	if len(missing) == 0 {
		return nil
	}
	var parts []string
	for _, n := range slices.Sorted(maps.Keys(missing)) {
		names := missing[n]
		slices.Sort(names)
		parts = append(parts, fmt.Sprintf("%s for: %s", n, strings.Join(names, ",")))
	}
	return fmt.Errorf("must specify %s", strings.Join(parts, "; "))
}

// matchesScopes tells whether a quota with scopes applies to obj: scopes
// select pods only, so any other object matches a quota without scopes.
func matchesScopes(q *corev1.ResourceQuota, obj runtime.Object) (bool, error) {
	selectors := scopeSelectors(q)
	if len(selectors) == 0 {
		return true, nil
	}
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return false, nil
	}
	for _, s := range selectors {
		ok, err := podMatchesScope(pod, s)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// scopeSelectors merges spec.scopes (each meaning "Exists") and
// spec.scopeSelector.
func scopeSelectors(q *corev1.ResourceQuota) []corev1.ScopedResourceSelectorRequirement {
	var out []corev1.ScopedResourceSelectorRequirement
	for _, s := range q.Spec.Scopes {
		out = append(out, corev1.ScopedResourceSelectorRequirement{ScopeName: s, Operator: corev1.ScopeSelectorOpExists})
	}
	if q.Spec.ScopeSelector != nil {
		out = append(out, q.Spec.ScopeSelector.MatchExpressions...)
	}
	return out
}

func podMatchesScope(pod *corev1.Pod, s corev1.ScopedResourceSelectorRequirement) (bool, error) {
	switch s.ScopeName {
	case corev1.ResourceQuotaScopeTerminating:
		return isTerminating(pod), nil
	case corev1.ResourceQuotaScopeNotTerminating:
		return !isTerminating(pod), nil
	case corev1.ResourceQuotaScopeBestEffort:
		return isBestEffort(pod), nil
	case corev1.ResourceQuotaScopeNotBestEffort:
		return !isBestEffort(pod), nil
	case corev1.ResourceQuotaScopeCrossNamespacePodAffinity:
		return usesCrossNamespaceAffinity(pod), nil
	case corev1.ResourceQuotaScopePriorityClass:
		// The class name as a one-label set, matched by the requirement:
		// Exists means "has a class", In/NotIn compare its name.
		var op selection.Operator
		switch s.Operator {
		case corev1.ScopeSelectorOpIn:
			op = selection.In
		case corev1.ScopeSelectorOpNotIn:
			op = selection.NotIn
		case corev1.ScopeSelectorOpExists:
			op = selection.Exists
		case corev1.ScopeSelectorOpDoesNotExist:
			op = selection.DoesNotExist
		default:
			return false, fmt.Errorf("%q is not a valid scope selector operator", s.Operator)
		}
		req, err := labels.NewRequirement(string(s.ScopeName), op, s.Values)
		if err != nil {
			return false, err
		}
		set := labels.Set{}
		if pod.Spec.PriorityClassName != "" {
			set[string(s.ScopeName)] = pod.Spec.PriorityClassName
		}
		return req.Matches(set), nil
	}
	return false, nil
}

func isTerminating(pod *corev1.Pod) bool {
	return pod.Spec.ActiveDeadlineSeconds != nil && *pod.Spec.ActiveDeadlineSeconds >= 0
}

// isBestEffort: the BestEffort QoS class, no container asking for or
// limited in cpu or memory.
func isBestEffort(pod *corev1.Pod) bool {
	if r := pod.Spec.Resources; r != nil && (len(r.Requests) > 0 || len(r.Limits) > 0) {
		return false
	}
	best := true
	allContainers(&pod.Spec, func(c *corev1.Container) bool {
		for _, l := range []corev1.ResourceList{c.Resources.Requests, c.Resources.Limits} {
			for _, n := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
				if q, ok := l[n]; ok && !q.IsZero() {
					best = false
				}
			}
		}
		return best
	})
	return best
}

func usesCrossNamespaceAffinity(pod *corev1.Pod) bool {
	a := pod.Spec.Affinity
	if a == nil {
		return false
	}
	cross := func(t corev1.PodAffinityTerm) bool { return len(t.Namespaces) > 0 || t.NamespaceSelector != nil }
	var terms []corev1.PodAffinityTerm
	if a.PodAffinity != nil {
		terms = append(terms, a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution...)
		for _, w := range a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
			terms = append(terms, w.PodAffinityTerm)
		}
	}
	if a.PodAntiAffinity != nil {
		terms = append(terms, a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution...)
		for _, w := range a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
			terms = append(terms, w.PodAffinityTerm)
		}
	}
	for _, t := range terms {
		if cross(t) {
			return true
		}
	}
	return false
}

// addTo adds b into a.
func addTo(a, b corev1.ResourceList) {
	for n, q := range b {
		sum := a[n]
		sum.Add(q)
		a[n] = sum
	}
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
