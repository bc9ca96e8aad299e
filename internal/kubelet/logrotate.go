package kubelet

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Container log rotation as upstream's defaults (containerd writes CRI logs
// but never rotates them): at 10Mi the file is renamed, the runtime reopens
// it, and at most 5 files per container are kept.
const (
	logMaxSize       = 10 << 20
	logMaxFiles      = 5
	logCheckInterval = 10 * time.Second
	rotatedTimeFmt   = "20060102-150405"
)

// rotateLogsLoop checks the running containers' logs every logCheckInterval.
func (k *Kubelet) rotateLogsLoop(ctx context.Context) {
	wait.UntilWithContext(ctx, func(ctx context.Context) {
		running := &runtimeapi.ContainerFilter{State: &runtimeapi.ContainerStateValue{State: runtimeapi.ContainerState_CONTAINER_RUNNING}}
		containers, err := k.rt.ListContainers(ctx, running)
		if err != nil {
			return
		}
		for _, c := range containers {
			if c.Labels[labelPodUID] == "" {
				continue
			}
			path := filepath.Join(podLogDir(k.cfg.PodLogsDir, c.Labels[labelPodNamespace], c.Labels[labelPodName], c.Labels[labelPodUID]),
				containerLogPath(c.Labels[labelContainerName], restartCountOf(c.Annotations)))
			k.rotateLog(ctx, c.Id, path, k.now())
		}
	}, logCheckInterval)
}

// rotateLog rotates one container's log when it is too big.
func (k *Kubelet) rotateLog(ctx context.Context, id, path string, now time.Time) {
	fi, err := os.Stat(path)
	if err != nil || fi.Size() < logMaxSize {
		return
	}
	rotated := path + "." + now.UTC().Format(rotatedTimeFmt)
	if err := os.Rename(path, rotated); err != nil {
		return
	}
	if err := k.rt.ReopenContainerLog(ctx, id); err != nil {
		// Put it back: the runtime still writes to the renamed file.
		_ = os.Rename(rotated, path)
		return
	}
	matches, _ := filepath.Glob(path + ".*")
	for _, old := range rotatedToRemove(matches, logMaxFiles-1) {
		_ = os.Remove(old)
	}
}

// rotatedToRemove returns the oldest rotated files beyond keep (names end
// in a sortable timestamp). It is pure.
func rotatedToRemove(rotated []string, keep int) []string {
	var files []string
	for _, f := range rotated {
		if !strings.HasSuffix(f, ".tmp") {
			files = append(files, f)
		}
	}
	if len(files) <= keep {
		return nil
	}
	sort.Strings(files)
	return files[:len(files)-keep]
}
