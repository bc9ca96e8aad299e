package eviction

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	v1 "k8s.io/api/core/v1"
)

// podUsage reads a pod's usage from its cgroups under the node's cgroup
// root (memory working set, processes) and from the kubelet root (local
// volumes under <root>/pods/<uid>). It finds the pod's cgroup by its UID
// whatever the layout (pod<uid>, kubepods-...-pod<uid_>.slice, under a QoS
// level or not), and container cgroups by container ID.
func (n node) podUsage(kubeletRoot string) PodUsageFunc {
	return func(pod *v1.Pod) (PodUsage, bool) {
		rel, ok := n.findPodCgroup(pod)
		if !ok {
			return PodUsage{}, false
		}
		u := PodUsage{Containers: map[string]Usage{}}
		u.Memory, _ = n.workingSet(rel)
		u.Processes = n.processes(rel)
		for _, st := range pod.Status.ContainerStatuses {
			id := containerID(st.ContainerID)
			if id == "" {
				continue
			}
			crel, ok := n.childCgroup(rel, id)
			if !ok {
				continue
			}
			var cu Usage
			cu.Memory, _ = n.workingSet(crel)
			cu.Processes = n.processes(crel)
			u.Containers[st.Name] = cu
		}
		if kubeletRoot != "" {
			u.Storage, u.Inodes = du(filepath.Join(kubeletRoot, "pods", string(pod.UID)))
		}
		return u, true
	}
}

// containerID strips the "containerd://" scheme of a status's container ID.
func containerID(s string) string {
	if _, id, ok := strings.Cut(s, "://"); ok {
		return id
	}
	return s
}

// findPodCgroup looks up to three levels below the node's cgroup root for
// a directory whose name carries the pod's UID.
func (n node) findPodCgroup(pod *v1.Pod) (string, bool) {
	uid := string(pod.UID)
	if uid == "" {
		return "", false
	}
	alt := strings.ReplaceAll(uid, "-", "_")
	base := filepath.Join(n.root, n.memoryDir(n.cgroupRoot))
	var found string
	_ = filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return fs.SkipDir
		case !d.IsDir():
			return nil
		}
		rel, _ := filepath.Rel(base, p)
		if rel != "." && strings.Count(rel, string(filepath.Separator)) >= 3 {
			return fs.SkipDir
		}
		if name := d.Name(); strings.Contains(name, uid) || strings.Contains(name, alt) {
			found = path.Join(n.cgroupRoot, filepath.ToSlash(rel))
			return fs.SkipAll
		}
		return nil
	})
	return found, found != ""
}

// childCgroup finds the container cgroup named after id directly below
// the pod's (cgroupfs names it <id>, systemd cri-containerd-<id>.scope).
func (n node) childCgroup(pod, id string) (string, bool) {
	entries, err := os.ReadDir(filepath.Join(n.root, n.memoryDir(pod)))
	if err != nil {
		return "", false
	}
	for _, e := range entries {
		if e.IsDir() && strings.Contains(e.Name(), id) {
			return path.Join(pod, e.Name()), true
		}
	}
	return "", false
}

// processes is pids.current of the cgroup (pids controller: v1 hierarchy
// or the v2 directory itself).
func (n node) processes(c string) int64 {
	dir := path.Join("/sys/fs/cgroup/pids", c)
	if n.cgroupV2() {
		dir = path.Join("/sys/fs/cgroup", c)
	}
	v, _ := n.readInt(path.Join(dir, "pids.current"))
	return v
}

// du sums the sizes and counts the inodes of the files under dir.
func du(dir string) (bytes, inodes int64) {
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		inodes++
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				bytes += info.Size()
			}
		}
		return nil
	})
	return bytes, inodes
}
