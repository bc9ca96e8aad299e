package quota

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The resources whose objects use more than their own count.
var (
	PodsResource     = corev1.Resource("pods")
	ServicesResource = corev1.Resource("services")
	ClaimsResource   = corev1.Resource("persistentvolumeclaims")
)

// storageClassSuffix builds the per-class claim quotas,
// <class>.storageclass.storage.k8s.io/{requests.storage,persistentvolumeclaims}.
const storageClassSuffix = ".storageclass.storage.k8s.io/"

// countPrefix starts the name of any resource's object count.
const countPrefix = "count/"

// legacyCountNames are the object counts that predate count/*, which a
// quota may name instead of (or as well as) the count/* form.
var legacyCountNames = map[schema.GroupResource]corev1.ResourceName{
	PodsResource:                              corev1.ResourcePods,
	ServicesResource:                          corev1.ResourceServices,
	ClaimsResource:                            corev1.ResourcePersistentVolumeClaims,
	corev1.Resource("configmaps"):             corev1.ResourceConfigMaps,
	corev1.Resource("secrets"):                corev1.ResourceSecrets,
	corev1.Resource("replicationcontrollers"): corev1.ResourceReplicationControllers,
	corev1.Resource("resourcequotas"):         corev1.ResourceQuotas,
}

// ObjectCountName is count/<resource>[.<group>], the name of the object
// count of any resource.
func ObjectCountName(gr schema.GroupResource) corev1.ResourceName {
	if gr.Group == "" {
		return corev1.ResourceName(countPrefix + gr.Resource)
	}
	return corev1.ResourceName(countPrefix + gr.Resource + "." + gr.Group)
}

// LegacyCountName is the older name of gr's object count (pods, secrets,
// ...), if it has one.
func LegacyCountName(gr schema.GroupResource) (corev1.ResourceName, bool) {
	n, ok := legacyCountNames[gr]
	return n, ok
}

// Tracks tells whether quota resource name is one that objects of gr use
// (upstream's evaluators' MatchingResources): a quota listing it must
// know its usage before charging such an object, and the controller
// recomputes it from gr's objects.
func Tracks(gr schema.GroupResource, name corev1.ResourceName) bool {
	if name == ObjectCountName(gr) {
		return true
	}
	if legacy, ok := legacyCountNames[gr]; ok && name == legacy {
		return true
	}
	s := string(name)
	switch gr {
	case PodsResource:
		switch name {
		case corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage,
			corev1.ResourceRequestsCPU, corev1.ResourceRequestsMemory, corev1.ResourceRequestsEphemeralStorage,
			corev1.ResourceLimitsCPU, corev1.ResourceLimitsMemory, corev1.ResourceLimitsEphemeralStorage:
			return true
		}
		return strings.HasPrefix(s, corev1.ResourceHugePagesPrefix) ||
			strings.HasPrefix(s, corev1.ResourceRequestsHugePagesPrefix) ||
			// Extended resources cannot be overcommitted, so they are
			// quota'd by request only.
			strings.HasPrefix(s, corev1.DefaultResourceRequestsPrefix) && !isNative(name)
	case ServicesResource:
		return name == corev1.ResourceServicesNodePorts || name == corev1.ResourceServicesLoadBalancers
	case ClaimsResource:
		return name == corev1.ResourceRequestsStorage ||
			strings.HasSuffix(s, storageClassSuffix+string(corev1.ResourceRequestsStorage)) ||
			strings.HasSuffix(s, storageClassSuffix+string(corev1.ResourcePersistentVolumeClaims))
	}
	return false
}

// ResourceFor is the resource whose objects use quota resource name (the
// one Tracks(gr, name) holds for), or false for a name no evaluator
// tracks: the controller leaves such a name's usage as it was.
func ResourceFor(name corev1.ResourceName) (schema.GroupResource, bool) {
	if rest, ok := strings.CutPrefix(string(name), countPrefix); ok {
		// Resource names have no dots, so the group starts at the first.
		res, group, _ := strings.Cut(rest, ".")
		return schema.GroupResource{Group: group, Resource: res}, res != ""
	}
	for gr, legacy := range legacyCountNames {
		if name == legacy {
			return gr, true
		}
	}
	for _, gr := range []schema.GroupResource{PodsResource, ServicesResource, ClaimsResource} {
		if Tracks(gr, name) {
			return gr, true
		}
	}
	return schema.GroupResource{}, false
}

// isNative: a resource name without a domain, or in *kubernetes.io/.
func isNative(name corev1.ResourceName) bool {
	s := string(name)
	return !strings.Contains(s, "/") || strings.Contains(s, corev1.ResourceDefaultNamespacePrefix)
}
