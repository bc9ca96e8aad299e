package eviction

import (
	"fmt"
	"sort"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	resourcehelper "k8s.io/component-helpers/resource"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
)

// Usage is what a pod or container uses.
type Usage struct {
	Memory    int64 // working set, bytes
	Storage   int64 // ephemeral storage: writable layer, logs, local volumes, bytes
	Inodes    int64
	Processes int64
}

// PodUsage is a pod's usage in total and per container (by name).
type PodUsage struct {
	Usage
	Containers map[string]Usage
}

// PodUsageFunc reports a pod's usage; false when it has no stats.
type PodUsageFunc func(pod *v1.Pod) (PodUsage, bool)

// Upstream's priority of system-critical pods, which eviction spares.
const systemCriticalPriority = 2 * 1000000000

// evictable drops the pods eviction never chooses: finished ones and
// critical ones (static and mirror pods, system priority), as upstream.
func evictable(pods []*v1.Pod) []*v1.Pod {
	var out []*v1.Pod
	for _, p := range pods {
		if p.Status.Phase == v1.PodSucceeded || p.Status.Phase == v1.PodFailed || critical(p) {
			continue
		}
		out = append(out, p)
	}
	return out
}

func critical(p *v1.Pod) bool {
	if _, mirror := p.Annotations[v1.MirrorPodAnnotationKey]; mirror {
		return true
	}
	if src, ok := p.Annotations["kubernetes.io/config.source"]; ok && src != "api" {
		return true // static pod
	}
	return corev1helpers.PodPriority(p) >= systemCriticalPriority
}

// rank orders pods for reclaiming res, most evictable first, as upstream:
// memory and disk: pods without stats, then pods over their request, then
// lower priority, then larger usage above the request; PIDs: lower
// priority, then more processes.
func rank(pods []*v1.Pod, res v1.ResourceName, usage PodUsageFunc) []*v1.Pod {
	out := append([]*v1.Pod(nil), pods...)
	type info struct {
		found    bool
		used     int64
		over     int64 // used - request
		priority int32
	}
	infos := make(map[*v1.Pod]info, len(out))
	for _, p := range out {
		u, found := usage(p)
		used := usedOf(u.Usage, res)
		infos[p] = info{found: found, used: used, over: used - request(p, res), priority: corev1helpers.PodPriority(p)}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := infos[out[i]], infos[out[j]]
		if res == resourcePIDs {
			if a.priority != b.priority {
				return a.priority < b.priority
			}
			return a.used > b.used
		}
		if a.found != b.found {
			return !a.found // no stats: evict first
		}
		if a.found {
			if ea, eb := a.over > 0, b.over > 0; ea != eb {
				return ea
			}
		}
		if a.priority != b.priority {
			return a.priority < b.priority
		}
		return a.over > b.over
	})
	return out
}

func usedOf(u Usage, res v1.ResourceName) int64 {
	switch res {
	case v1.ResourceMemory:
		return u.Memory
	case v1.ResourceEphemeralStorage:
		return u.Storage
	case resourceInodes:
		return u.Inodes
	case resourcePIDs:
		return u.Processes
	}
	return 0
}

// request is the pod's effective request of res (init containers and pod
// overhead included), zero for resources that cannot be requested.
func request(p *v1.Pod, res v1.ResourceName) int64 {
	if res != v1.ResourceMemory && res != v1.ResourceEphemeralStorage {
		return 0
	}
	q := resourcehelper.PodRequests(p, resourcehelper.PodResourcesOptions{})[res]
	return q.Value()
}

// message explains an eviction as upstream: the resource, the threshold,
// and each container using more than it requested.
func message(p *v1.Pod, m Met, u PodUsage) string {
	msg := fmt.Sprintf("The node was low on resource: %s. ", m.Resource) + m.String()
	if m.Resource != v1.ResourceMemory && m.Resource != v1.ResourceEphemeralStorage {
		return msg
	}
	for _, c := range p.Spec.Containers {
		cu, ok := u.Containers[c.Name]
		if !ok {
			continue
		}
		used := usedOf(cu, m.Resource)
		req := c.Resources.Requests[m.Resource]
		if used > req.Value() {
			msg += fmt.Sprintf("Container %s was using %s, request is %s, has larger consumption of %s. ",
				c.Name, resource.NewQuantity(used, resource.BinarySI).String(), req.String(), m.Resource)
		}
	}
	return msg
}
