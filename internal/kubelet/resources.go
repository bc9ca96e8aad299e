package kubelet

import (
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// CPU and OOM constants as upstream's kubelet uses them.
const (
	minShares     = 2
	sharesPerCPU  = 1024
	quotaPeriod   = 100000 // µs
	minQuotaUsecs = 1000

	guaranteedOOMScoreAdj = -997
	criticalOOMScoreAdj   = -997
	bestEffortOOMScoreAdj = 1000
)

// qosClass computes a pod's QoS class from its containers' requests and
// limits (cpu and memory only), as upstream.
func qosClass(pod *v1.Pod) v1.PodQOSClass {
	if pod.Spec.Resources != nil && (len(pod.Spec.Resources.Requests) > 0 || len(pod.Spec.Resources.Limits) > 0) {
		return qosFrom(pod.Spec.Resources.Requests, pod.Spec.Resources.Limits)
	}
	requests, limits := v1.ResourceList{}, v1.ResourceList{}
	guaranteed := true
	all := append(append([]v1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...)
	for _, c := range all {
		for _, name := range []v1.ResourceName{v1.ResourceCPU, v1.ResourceMemory} {
			if q, ok := c.Resources.Requests[name]; ok && !q.IsZero() {
				add(requests, name, q)
			}
			if q, ok := c.Resources.Limits[name]; ok && !q.IsZero() {
				add(limits, name, q)
			}
		}
		for _, name := range []v1.ResourceName{v1.ResourceCPU, v1.ResourceMemory} {
			if _, ok := c.Resources.Limits[name]; !ok {
				guaranteed = false
			}
		}
	}
	if len(requests) == 0 && len(limits) == 0 {
		return v1.PodQOSBestEffort
	}
	if !guaranteed {
		return v1.PodQOSBurstable
	}
	return qosFrom(requests, limits)
}

// qosFrom compares summed requests and limits.
func qosFrom(requests, limits v1.ResourceList) v1.PodQOSClass {
	if len(requests) == 0 && len(limits) == 0 {
		return v1.PodQOSBestEffort
	}
	for _, name := range []v1.ResourceName{v1.ResourceCPU, v1.ResourceMemory} {
		l, ok := limits[name]
		if !ok {
			return v1.PodQOSBurstable
		}
		if r, ok := requests[name]; ok && r.Cmp(l) != 0 {
			return v1.PodQOSBurstable
		}
	}
	return v1.PodQOSGuaranteed
}

func add(list v1.ResourceList, name v1.ResourceName, q resource.Quantity) {
	cur := list[name]
	cur.Add(q)
	list[name] = cur
}

// containerResources turns a container's requests and limits into cgroup
// settings: cpu shares from the request (limit when no request, min 2), CFS
// quota from the limit, the memory limit, and the OOM score adjustment by
// QoS class. memCapacity is the node's memory in bytes.
func containerResources(pod *v1.Pod, c *v1.Container, memCapacity int64, critical bool) *runtimeapi.LinuxContainerResources {
	r := &runtimeapi.LinuxContainerResources{}
	cpuReq, hasReq := c.Resources.Requests[v1.ResourceCPU]
	cpuLim, hasLim := c.Resources.Limits[v1.ResourceCPU]
	if !hasReq && hasLim {
		cpuReq, hasReq = cpuLim, true
	}
	r.CpuShares = minShares
	if hasReq {
		r.CpuShares = milliToShares(cpuReq.MilliValue())
	}
	if hasLim {
		r.CpuPeriod = quotaPeriod
		r.CpuQuota = max(cpuLim.MilliValue()*quotaPeriod/1000, minQuotaUsecs)
	}
	if m, ok := c.Resources.Limits[v1.ResourceMemory]; ok {
		r.MemoryLimitInBytes = m.Value()
	}
	r.OomScoreAdj = oomScoreAdj(pod, c, memCapacity, critical)
	return r
}

func milliToShares(milli int64) int64 {
	return max(milli*sharesPerCPU/1000, minShares)
}

// oomScoreAdj ranks containers for the kernel's OOM killer as upstream:
// guaranteed and critical pods last, best-effort first, burstable by how much
// memory they asked for. (containerd clamps it when the kubelet's own score is
// higher.)
func oomScoreAdj(pod *v1.Pod, c *v1.Container, memCapacity int64, critical bool) int64 {
	if critical {
		return criticalOOMScoreAdj
	}
	switch qosClass(pod) {
	case v1.PodQOSGuaranteed:
		return guaranteedOOMScoreAdj
	case v1.PodQOSBestEffort:
		return bestEffortOOMScoreAdj
	}
	if memCapacity <= 0 {
		return bestEffortOOMScoreAdj - 1
	}
	req := c.Resources.Requests[v1.ResourceMemory]
	adj := 1000 - (1000*req.Value())/memCapacity
	if adj < 1000+guaranteedOOMScoreAdj {
		return 1000 + guaranteedOOMScoreAdj
	}
	if adj == bestEffortOOMScoreAdj {
		return adj - 1
	}
	return adj
}

// podCgroupParent is <root>/kubepods[/burstable|/besteffort]/pod<uid>, the
// cgroupfs layout upstream uses, under the node's own root.
func podCgroupParent(cgroupRoot string, pod *v1.Pod) string {
	base := cgroupRoot + "/kubepods"
	switch qosClass(pod) {
	case v1.PodQOSBurstable:
		base += "/burstable"
	case v1.PodQOSBestEffort:
		base += "/besteffort"
	}
	return base + "/pod" + string(pod.UID)
}

// podResources sums the pod's container limits for the sandbox (runtimes use
// it to size the pod cgroup), plus the overhead.
func podResources(pod *v1.Pod) (*runtimeapi.LinuxContainerResources, *runtimeapi.LinuxContainerResources) {
	var cpuReq, cpuLim, mem int64
	limitedCPU, limitedMem := true, true
	for _, c := range pod.Spec.Containers {
		if q, ok := c.Resources.Requests[v1.ResourceCPU]; ok {
			cpuReq += q.MilliValue()
		} else if q, ok := c.Resources.Limits[v1.ResourceCPU]; ok {
			cpuReq += q.MilliValue()
		}
		if q, ok := c.Resources.Limits[v1.ResourceCPU]; ok {
			cpuLim += q.MilliValue()
		} else {
			limitedCPU = false
		}
		if q, ok := c.Resources.Limits[v1.ResourceMemory]; ok {
			mem += q.Value()
		} else {
			limitedMem = false
		}
	}
	res := &runtimeapi.LinuxContainerResources{CpuShares: milliToShares(cpuReq)}
	if limitedCPU && cpuLim > 0 {
		res.CpuPeriod, res.CpuQuota = quotaPeriod, max(cpuLim*quotaPeriod/1000, minQuotaUsecs)
	}
	if limitedMem && mem > 0 {
		res.MemoryLimitInBytes = mem
	}
	var overhead *runtimeapi.LinuxContainerResources
	if len(pod.Spec.Overhead) > 0 {
		overhead = &runtimeapi.LinuxContainerResources{}
		if q, ok := pod.Spec.Overhead[v1.ResourceCPU]; ok {
			overhead.CpuShares = milliToShares(q.MilliValue())
			overhead.CpuPeriod, overhead.CpuQuota = quotaPeriod, max(q.MilliValue()*quotaPeriod/1000, minQuotaUsecs)
		}
		if q, ok := pod.Spec.Overhead[v1.ResourceMemory]; ok {
			overhead.MemoryLimitInBytes = q.Value()
		}
	}
	return res, overhead
}
