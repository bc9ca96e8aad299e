package volume

import (
	"fmt"
	"os"

	v1 "k8s.io/api/core/v1"
)

// setupEmptyDir makes the pod's scratch folder: on disk, or a tmpfs for
// medium Memory (sized by sizeLimit, else by the pod's memory limit when
// every container has one). The fsGroup is applied once, when the folder is
// made, so files the pod creates later are left alone.
func (m *Manager) setupEmptyDir(pod *v1.Pod, name string, src *v1.EmptyDirVolumeSource) (Volume, error) {
	dir := m.volumeDir(pod.UID, pluginEmptyDir, name)
	switch src.Medium {
	case v1.StorageMediumDefault, v1.StorageMediumMemory:
	default:
		return Volume{}, fmt.Errorf("emptyDir medium %q is not supported", src.Medium)
	}
	created := false
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return Volume{}, err
		}
		created = true
	}
	if src.Medium == v1.StorageMediumMemory {
		mounted, err := isMountPoint(dir)
		if err != nil {
			return Volume{}, err
		}
		if !mounted {
			if err := mountTmpfs(dir, memoryVolumeSize(pod, src), 0o777); err != nil {
				return Volume{}, err
			}
			created = true
		}
	}
	if created {
		// Any user in the pod may write, as upstream (0777, umask aside).
		if err := os.Chmod(dir, 0o777); err != nil {
			return Volume{}, err
		}
		fsGroup, policy := podFSGroup(pod)
		if err := setOwnership(dir, fsGroup, policy, false); err != nil {
			return Volume{}, err
		}
	}
	return Volume{HostPath: dir}, nil
}

// memoryVolumeSize is the tmpfs size of a memory emptyDir: its sizeLimit,
// else the sum of the app containers' memory limits when all have one,
// else 0 (the kernel's default, half of RAM).
func memoryVolumeSize(pod *v1.Pod, src *v1.EmptyDirVolumeSource) int64 {
	if src.SizeLimit != nil && !src.SizeLimit.IsZero() {
		return src.SizeLimit.Value()
	}
	var sum int64
	for _, c := range pod.Spec.Containers {
		q, ok := c.Resources.Limits[v1.ResourceMemory]
		if !ok {
			return 0
		}
		sum += q.Value()
	}
	return sum
}
