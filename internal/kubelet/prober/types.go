package prober

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// Result is the outcome of a probe.
type Result int

const (
	// Unknown: no verdict (the probe could not be run, or a startup probe
	// has not succeeded yet).
	Unknown Result = iota
	Success
	Failure
)

func (r Result) String() string {
	switch r {
	case Success:
		return "Success"
	case Failure:
		return "Failure"
	}
	return "Unknown"
}

// Kind is the kind of probe.
type Kind int

const (
	Liveness Kind = iota
	Readiness
	Startup
)

// String is the kind as upstream's events spell it ("Liveness probe
// failed: ...").
func (k Kind) String() string {
	switch k {
	case Liveness:
		return "Liveness"
	case Readiness:
		return "Readiness"
	case Startup:
		return "Startup"
	}
	return "Unknown"
}

// Runtime runs commands in containers (the kubelet implements it over CRI
// ExecSync). A command that ran and exited non-zero is NOT an error: it
// returns its exit code. A timeout should be an error wrapping
// context.DeadlineExceeded or saying "timed out" (cri-client's
// ErrCommandTimedOut does); it counts as a failed probe, as upstream.
type Runtime interface {
	ExecSync(ctx context.Context, containerID string, cmd []string, timeout time.Duration) (stdout, stderr []byte, exitCode int32, err error)
}

// Update is a change of a probe's result. Message is the probe's output,
// the text upstream puts after "<Kind> probe failed: " in the Unhealthy
// event (e.g. "HTTP probe failed with statuscode: 500").
type Update struct {
	PodUID      types.UID
	Container   string
	ContainerID string
	Kind        Kind
	Result      Result
	Message     string
}

// ContainerInfo identifies a running container: its runtime ID and when it
// started (initialDelaySeconds counts from there; zero means "now").
type ContainerInfo struct {
	ID        string
	StartedAt time.Time
}
