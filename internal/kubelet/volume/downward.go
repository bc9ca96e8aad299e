package volume

import (
	"fmt"
	"math"
	"sort"
	"strings"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// downwardPayload is the files of a downwardAPI volume or projection.
// allocatable is the node's allocatable resources, used as upstream for
// limits a container does not set (nil when not needed or unknown).
func downwardPayload(pod *v1.Pod, items []v1.DownwardAPIVolumeFile, defaultMode int32, allocatable v1.ResourceList) (map[string]FileProjection, error) {
	out := map[string]FileProjection{}
	for _, it := range items {
		var value string
		var err error
		switch {
		case it.FieldRef != nil:
			value, err = PodFieldValue(pod, it.FieldRef.FieldPath)
		case it.ResourceFieldRef != nil:
			value, err = ContainerResourceValue(pod, it.ResourceFieldRef, allocatable)
		default:
			err = fmt.Errorf("item %q has neither fieldRef nor resourceFieldRef", it.Path)
		}
		if err != nil {
			return nil, fmt.Errorf("downwardAPI %q: %w", it.Path, err)
		}
		out[it.Path] = FileProjection{Data: []byte(value), Mode: modeOr(it.Mode, defaultMode)}
	}
	return out, nil
}

// needsAllocatable says whether any resourceFieldRef asks for a limit the
// container leaves unset, so the node's allocatable must be read.
func needsAllocatable(pod *v1.Pod, items []v1.DownwardAPIVolumeFile) bool {
	for _, it := range items {
		r := it.ResourceFieldRef
		if r == nil || !strings.HasPrefix(r.Resource, "limits.") {
			continue
		}
		c := findContainer(pod, r.ContainerName)
		if c == nil {
			continue
		}
		if _, ok := c.Resources.Limits[v1.ResourceName(strings.TrimPrefix(r.Resource, "limits."))]; !ok {
			return true
		}
	}
	return false
}

// PodFieldValue reads a downward-API field path of the pod, as upstream:
// metadata.name/namespace/uid, metadata.labels and metadata.annotations
// (whole, as sorted key="value" lines, or one key with ['key']),
// spec.nodeName, spec.serviceAccountName, status.hostIP(s), status.podIP(s).
func PodFieldValue(pod *v1.Pod, fieldPath string) (string, error) {
	if path, key, ok := splitSubscript(fieldPath); ok {
		switch path {
		case "metadata.labels":
			return pod.Labels[key], nil
		case "metadata.annotations":
			return pod.Annotations[key], nil
		}
		return "", fmt.Errorf("unsupported fieldPath %q", fieldPath)
	}
	switch fieldPath {
	case "metadata.name":
		return pod.Name, nil
	case "metadata.namespace":
		return pod.Namespace, nil
	case "metadata.uid":
		return string(pod.UID), nil
	case "metadata.labels":
		return formatMap(pod.Labels), nil
	case "metadata.annotations":
		return formatMap(pod.Annotations), nil
	case "spec.nodeName":
		return pod.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName, nil
	case "status.hostIP":
		return pod.Status.HostIP, nil
	case "status.hostIPs":
		ips := make([]string, 0, len(pod.Status.HostIPs))
		for _, ip := range pod.Status.HostIPs {
			ips = append(ips, ip.IP)
		}
		return strings.Join(ips, ","), nil
	case "status.podIP":
		return pod.Status.PodIP, nil
	case "status.podIPs":
		ips := make([]string, 0, len(pod.Status.PodIPs))
		for _, ip := range pod.Status.PodIPs {
			ips = append(ips, ip.IP)
		}
		return strings.Join(ips, ","), nil
	}
	return "", fmt.Errorf("unsupported fieldPath %q", fieldPath)
}

// splitSubscript splits "metadata.labels['key']" into its path and key.
func splitSubscript(fieldPath string) (path, key string, ok bool) {
	if !strings.HasSuffix(fieldPath, "']") {
		return "", "", false
	}
	i := strings.Index(fieldPath, "['")
	if i < 0 {
		return "", "", false
	}
	return fieldPath[:i], fieldPath[i+2 : len(fieldPath)-2], true
}

// formatMap renders labels or annotations as upstream does: one key="value"
// line per key, sorted, values Go-quoted, no trailing newline.
func formatMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s=%q", k, m[k])
	}
	return b.String()
}

func findContainer(pod *v1.Pod, name string) *v1.Container {
	for i := range pod.Spec.Containers {
		if pod.Spec.Containers[i].Name == name {
			return &pod.Spec.Containers[i]
		}
	}
	for i := range pod.Spec.InitContainers {
		if pod.Spec.InitContainers[i].Name == name {
			return &pod.Spec.InitContainers[i]
		}
	}
	return nil
}

// ContainerResourceValue reads a resourceFieldRef (limits.* / requests.*
// of cpu, memory, ephemeral-storage, hugepages-*) divided by its divisor and
// rounded up, as upstream. A limit the container does not set is the node's
// allocatable.
func ContainerResourceValue(pod *v1.Pod, ref *v1.ResourceFieldSelector, allocatable v1.ResourceList) (string, error) {
	c := findContainer(pod, ref.ContainerName)
	if c == nil {
		return "", fmt.Errorf("container %q not found in pod", ref.ContainerName)
	}
	var list v1.ResourceList
	var res string
	switch {
	case strings.HasPrefix(ref.Resource, "limits."):
		list, res = c.Resources.Limits, strings.TrimPrefix(ref.Resource, "limits.")
	case strings.HasPrefix(ref.Resource, "requests."):
		list, res = c.Resources.Requests, strings.TrimPrefix(ref.Resource, "requests.")
	default:
		return "", fmt.Errorf("unsupported resource %q", ref.Resource)
	}
	q, ok := list[v1.ResourceName(res)]
	if !ok && strings.HasPrefix(ref.Resource, "limits.") {
		q, ok = allocatable[v1.ResourceName(res)]
	}
	if !ok {
		q = resource.Quantity{}
	}
	divisor := ref.Divisor
	if divisor.IsZero() {
		divisor = resource.MustParse("1")
	}
	if res == string(v1.ResourceCPU) {
		return fmt.Sprint(int64(math.Ceil(float64(q.MilliValue()) / float64(divisor.MilliValue())))), nil
	}
	return fmt.Sprint(int64(math.Ceil(float64(q.Value()) / float64(divisor.Value())))), nil
}
