package framework

import (
	v1 "k8s.io/api/core/v1"
	resourcehelper "k8s.io/component-helpers/resource"
)

// Default requests assumed, for scoring only, for a container that asks
// for no cpu or memory (upstream's DefaultMilliCPURequest and
// DefaultMemoryRequest): otherwise best-effort pods would all pile onto
// the node that looks emptiest.
const (
	DefaultMilliCPURequest int64 = 100               // 0.1 core
	DefaultMemoryRequest   int64 = 200 * 1024 * 1024 // 200 MiB
)

// Resource is an amount of the resources the scheduler counts.
type Resource struct {
	MilliCPU         int64
	Memory           int64
	EphemeralStorage int64
	AllowedPodNumber int64
	// Scalar holds extended resources, hugepages and attachable volumes.
	Scalar map[v1.ResourceName]int64
}

// NewResource reads a ResourceList.
func NewResource(rl v1.ResourceList) *Resource {
	r := &Resource{}
	r.Add(rl)
	return r
}

// Add adds rl to r.
func (r *Resource) Add(rl v1.ResourceList) {
	for name, q := range rl {
		switch name {
		case v1.ResourceCPU:
			r.MilliCPU += q.MilliValue()
		case v1.ResourceMemory:
			r.Memory += q.Value()
		case v1.ResourceEphemeralStorage:
			r.EphemeralStorage += q.Value()
		case v1.ResourcePods:
			r.AllowedPodNumber += q.Value()
		default:
			if isScalar(name) {
				if r.Scalar == nil {
					r.Scalar = map[v1.ResourceName]int64{}
				}
				r.Scalar[name] += q.Value()
			}
		}
	}
}

// AddResource adds o to r; sign -1 subtracts.
func (r *Resource) AddResource(o *Resource, sign int64) {
	r.MilliCPU += sign * o.MilliCPU
	r.Memory += sign * o.Memory
	r.EphemeralStorage += sign * o.EphemeralStorage
	r.AllowedPodNumber += sign * o.AllowedPodNumber
	for name, v := range o.Scalar {
		if r.Scalar == nil {
			r.Scalar = map[v1.ResourceName]int64{}
		}
		r.Scalar[name] += sign * v
	}
}

// Clone is a deep copy.
func (r *Resource) Clone() *Resource {
	c := *r
	if r.Scalar != nil {
		c.Scalar = make(map[v1.ResourceName]int64, len(r.Scalar))
		for k, v := range r.Scalar {
			c.Scalar[k] = v
		}
	}
	return &c
}

// isScalar is upstream's IsScalarResourceName: extended resources
// (domain-prefixed, not kubernetes.io/), hugepages-*, attachable volumes.
func isScalar(name v1.ResourceName) bool {
	s := string(name)
	if len(s) > len(v1.ResourceHugePagesPrefix) && s[:len(v1.ResourceHugePagesPrefix)] == v1.ResourceHugePagesPrefix {
		return true
	}
	if len(s) > len(v1.ResourceAttachableVolumesPrefix) && s[:len(v1.ResourceAttachableVolumesPrefix)] == v1.ResourceAttachableVolumesPrefix {
		return true
	}
	return isExtended(s)
}

// isExtended: a name with a domain prefix outside kubernetes.io, and not
// requests.* (upstream's IsExtendedResourceName).
func isExtended(s string) bool {
	slash := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			slash = i
			break
		}
	}
	if slash < 0 {
		return false
	}
	domain := s[:slash]
	if domain == "kubernetes.io" || hasSuffix(domain, ".kubernetes.io") {
		return false
	}
	return !(len(s) > 9 && s[:9] == "requests.")
}

func hasSuffix(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}

// PodRequests is what pod asks for, counted as upstream does: the larger
// of the sum of its containers and each init container (sidecars added
// on), plus pod overhead, with pod-level resources when set.
func PodRequests(pod *v1.Pod) *Resource {
	return NewResource(resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{}))
}

// nonZeroDefaults fill in a container's missing cpu/memory request for
// scoring.
var nonZeroDefaults = v1.ResourceList{
	v1.ResourceCPU:    *resourceQuantityMilli(DefaultMilliCPURequest),
	v1.ResourceMemory: *resourceQuantity(DefaultMemoryRequest),
}

// PodNonZeroRequests is PodRequests with missing container cpu/memory
// requests replaced by the defaults; used for scoring only.
func PodNonZeroRequests(pod *v1.Pod) *Resource {
	return NewResource(resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{
		NonMissingContainerRequests: nonZeroDefaults,
	}))
}
