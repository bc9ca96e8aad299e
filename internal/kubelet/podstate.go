package kubelet

import (
	"hash/fnv"
	"sort"
	"strconv"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// podState is what the runtime holds for one pod: every sandbox and every
// container that carries the pod's UID, as read from CRI. It is the input of
// the pure decision and status functions.
type podState struct {
	UID        types.UID
	Name       string
	Namespace  string
	Sandboxes  []*sandboxState   // newest first
	Containers []*containerState // newest first
}

// sandboxState is one sandbox of a pod.
type sandboxState struct {
	ID        string
	Attempt   uint32
	Ready     bool
	CreatedAt time.Time
	IPs       []string // primary first
}

// containerState is one container instance, as CRI reports it.
type containerState struct {
	ID           string
	Name         string
	SandboxID    string
	RestartCount int // the attempt, from the restartCount annotation
	Init         bool
	Hash         string
	State        runtimeapi.ContainerState
	CreatedAt    time.Time
	StartedAt    time.Time
	FinishedAt   time.Time
	ExitCode     int32
	Reason       string
	Message      string // runtime message or the termination-log content
	Image        string
	ImageRef     string
	LogPath      string
}

// running reports whether the instance is running.
func (c *containerState) running() bool {
	return c.State == runtimeapi.ContainerState_CONTAINER_RUNNING
}

// exited reports whether the instance ran and stopped.
func (c *containerState) exited() bool {
	return c.State == runtimeapi.ContainerState_CONTAINER_EXITED
}

// sandbox returns the newest sandbox, or nil.
func (s *podState) sandbox() *sandboxState {
	if s == nil || len(s.Sandboxes) == 0 {
		return nil
	}
	return s.Sandboxes[0]
}

// latest returns the newest instance of a container (any sandbox), or nil.
func (s *podState) latest(name string) *containerState {
	if s == nil {
		return nil
	}
	for _, c := range s.Containers {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// previous returns the instance before the newest one, or nil.
func (s *podState) previous(name string) *containerState {
	if s == nil {
		return nil
	}
	seen := false
	for _, c := range s.Containers {
		if c.Name != name {
			continue
		}
		if seen {
			return c
		}
		seen = true
	}
	return nil
}

// runningContainers returns the IDs of all running containers of the pod.
func (s *podState) runningContainers() []*containerState {
	var out []*containerState
	if s == nil {
		return out
	}
	for _, c := range s.Containers {
		if c.running() {
			out = append(out, c)
		}
	}
	return out
}

// sortNewestFirst orders sandboxes by attempt then creation, containers by
// restart count then creation, newest first.
func (s *podState) sortNewestFirst() {
	sort.SliceStable(s.Sandboxes, func(i, j int) bool {
		a, b := s.Sandboxes[i], s.Sandboxes[j]
		if a.CreatedAt.Equal(b.CreatedAt) {
			return a.Attempt > b.Attempt
		}
		return a.CreatedAt.After(b.CreatedAt)
	})
	sort.SliceStable(s.Containers, func(i, j int) bool {
		a, b := s.Containers[i], s.Containers[j]
		if a.RestartCount != b.RestartCount {
			return a.RestartCount > b.RestartCount
		}
		return a.CreatedAt.After(b.CreatedAt)
	})
}

// hashContainer fingerprints the parts of a container spec that can change
// on a running pod (the image): a different hash means restart it.
func hashContainer(c *v1.Container) string {
	h := fnv.New32a()
	h.Write([]byte(c.Name))
	h.Write([]byte{0})
	h.Write([]byte(c.Image))
	return strconv.FormatUint(uint64(h.Sum32()), 16)
}
