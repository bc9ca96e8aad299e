package stats

import (
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	statsapi "k8s.io/kubelet/pkg/apis/stats/v1alpha1"
)

// statfs describes the filesystem holding path.
func statfs(path string, now time.Time) (*statsapi.FsStats, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return nil, err
	}
	bs := uint64(st.Bsize)
	capacity, free, avail := st.Blocks*bs, st.Bfree*bs, st.Bavail*bs
	used := capacity - free
	inodes, inodesFree := st.Files, st.Ffree
	inodesUsed := inodes - inodesFree
	return &statsapi.FsStats{
		Time:           metav1.NewTime(now),
		AvailableBytes: &avail,
		CapacityBytes:  &capacity,
		UsedBytes:      &used,
		InodesFree:     &inodesFree,
		Inodes:         &inodes,
		InodesUsed:     &inodesUsed,
	}, nil
}

// dirUsage sums the sizes and counts the files under dir (a container's
// log directory), with the filesystem's capacity from fsInfo.
func dirUsage(dir string, fsInfo *statsapi.FsStats, now time.Time) *statsapi.FsStats {
	var used, files uint64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		files++
		if info, err := d.Info(); err == nil && !d.IsDir() {
			used += uint64(info.Size())
		}
		return nil
	})
	if err != nil {
		return nil
	}
	if _, err := os.Stat(dir); err != nil {
		return nil
	}
	out := &statsapi.FsStats{Time: metav1.NewTime(now), UsedBytes: &used, InodesUsed: &files}
	if fsInfo != nil {
		out.AvailableBytes, out.CapacityBytes, out.InodesFree, out.Inodes = fsInfo.AvailableBytes, fsInfo.CapacityBytes, fsInfo.InodesFree, fsInfo.Inodes
	}
	return out
}
