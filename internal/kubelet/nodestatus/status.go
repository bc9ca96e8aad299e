package nodestatus

import (
	"context"
	"sort"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Upstream's caps on the images reported in node status.
const (
	maxImages        = 50
	maxNamesPerImage = 5
)

// observation is one reading of everything the node status shows.
type observation struct {
	capacity   v1.ResourceList
	addresses  []v1.NodeAddress
	info       v1.NodeSystemInfo
	conditions conditionsInput
	images     []v1.ContainerImage
	imagesOK   bool // false keeps the images already reported
}

// observe reads the host, the runtime, the pressure source and the images.
func observe(ctx context.Context, cfg Config) observation {
	h := host{cfg.hostRoot}
	obs := observation{
		capacity:  capacity(h, cfg.CgroupRoot, cfg.RootDir, cfg.MaxPods),
		addresses: addresses(cfg.NodeIPs, cfg.Hostname),
		info:      nodeInfo(ctx, h, cfg.Runtime),
	}
	if cfg.Runtime != nil {
		obs.conditions.runtimeReady, obs.conditions.networkReady, obs.conditions.runtimeMessage = cfg.Runtime.Status(ctx)
	} else {
		obs.conditions.runtimeMessage = "container runtime status check may not have completed yet"
	}
	if cfg.Pressure != nil {
		obs.conditions.memoryPressure = cfg.Pressure.MemoryPressure()
		obs.conditions.diskPressure = cfg.Pressure.DiskPressure()
		obs.conditions.pidPressure = cfg.Pressure.PIDPressure()
	}
	if cfg.ImagesLister != nil {
		if imgs, err := cfg.ImagesLister(ctx); err == nil {
			obs.images, obs.imagesOK = capImages(imgs), true
		} else {
			log.WithError(err).Debug("listing images for node status")
		}
	} else {
		obs.imagesOK = true
	}
	return obs
}

// buildStatus is cur updated with obs at time now.
func buildStatus(cur v1.NodeStatus, obs observation, port int32, now metav1.Time) v1.NodeStatus {
	st := *cur.DeepCopy()
	st.Capacity = obs.capacity
	st.Allocatable = allocatable(obs.capacity)
	st.Addresses = obs.addresses
	info := obs.info
	if info.ContainerRuntimeVersion == "" { // runtime unreachable: keep what it said last
		info.ContainerRuntimeVersion = cur.NodeInfo.ContainerRuntimeVersion
	}
	st.NodeInfo = info
	st.DaemonEndpoints.KubeletEndpoint.Port = port
	st.Conditions = mergeConditions(cur.Conditions, desiredConditions(obs.conditions), now)
	if obs.imagesOK {
		st.Images = obs.images
	}
	return st
}

// statusChanged reports a difference other than heartbeat times, which
// change on every reading.
func statusChanged(a, b v1.NodeStatus) bool {
	strip := func(s v1.NodeStatus) v1.NodeStatus {
		s = *s.DeepCopy()
		for i := range s.Conditions {
			s.Conditions[i].LastHeartbeatTime = metav1.Time{}
		}
		return s
	}
	return !equality.Semantic.DeepEqual(strip(a), strip(b))
}

// capImages keeps the 50 largest images, 5 names each, as upstream.
func capImages(imgs []v1.ContainerImage) []v1.ContainerImage {
	out := make([]v1.ContainerImage, len(imgs))
	copy(out, imgs)
	// Largest first; ties by name, so the same images always read the same
	// (a reordering alone would count as a status change).
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].SizeBytes != out[j].SizeBytes {
			return out[i].SizeBytes > out[j].SizeBytes
		}
		return firstOf(out[i].Names...) < firstOf(out[j].Names...)
	})
	if len(out) > maxImages {
		out = out[:maxImages]
	}
	for i := range out {
		if len(out[i].Names) > maxNamesPerImage {
			out[i].Names = out[i].Names[:maxNamesPerImage]
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
