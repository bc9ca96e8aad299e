package volume

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	v1 "k8s.io/api/core/v1"
)

// Masks added to a volume's files when the pod has an fsGroup, as upstream:
// the group may read (read-only volumes) or read and write, directories are
// searchable and setgid so new files inherit the group.
const (
	rwMask   fs.FileMode = 0o660
	roMask   fs.FileMode = 0o440
	execMask fs.FileMode = 0o110
)

// setOwnership hands dir to the pod's fsGroup: group ownership of every
// entry, the group permission mask on files and folders, setgid on
// folders. Nothing happens without an fsGroup; with the OnRootMismatch
// policy the walk is skipped when the root already looks right.
func setOwnership(dir string, fsGroup *int64, policy *v1.PodFSGroupChangePolicy, readOnly bool) error {
	if fsGroup == nil {
		return nil
	}
	mask := rwMask
	if readOnly {
		mask = roMask
	}
	if policy != nil && *policy == v1.FSGroupChangeOnRootMismatch && rootMatches(dir, *fsGroup, mask) {
		return nil
	}
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := os.Lchown(path, -1, int(*fsGroup)); err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		m := mask
		if d.IsDir() {
			m |= execMask | fs.ModeSetgid
		}
		return os.Chmod(path, info.Mode()|m)
	})
}

func rootMatches(dir string, gid int64, mask fs.FileMode) bool {
	info, err := os.Stat(dir)
	if err != nil {
		return false
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok || int64(st.Gid) != gid {
		return false
	}
	want := mask | execMask | fs.ModeSetgid
	return info.Mode()&want == want
}

func podFSGroup(pod *v1.Pod) (*int64, *v1.PodFSGroupChangePolicy) {
	if sc := pod.Spec.SecurityContext; sc != nil {
		return sc.FSGroup, sc.FSGroupChangePolicy
	}
	return nil, nil
}

// podFsUser is the one user every container of the pod runs as, if there is
// one (then a projected token is made readable by that user only).
func podFsUser(pod *v1.Pod) *int64 {
	var podUser *int64
	if sc := pod.Spec.SecurityContext; sc != nil {
		podUser = sc.RunAsUser
	}
	var user *int64
	all := append(append([]v1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...)
	for i := range all {
		u := podUser
		if sc := all[i].SecurityContext; sc != nil && sc.RunAsUser != nil {
			u = sc.RunAsUser
		}
		if u == nil {
			return nil
		}
		if user != nil && *user != *u {
			return nil
		}
		user = u
	}
	return user
}
