package prober

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// maxExecOutput caps the output kept from an exec probe (upstream: 10KiB).
const maxExecOutput = 10 << 10

// execProbe runs the command in the container: exit 0 is success, any
// other exit a failure with the command's output, a timeout a failure.
func execProbe(ctx context.Context, rt Runtime, containerID string, cmd []string, timeout time.Duration) (Result, string) {
	if rt == nil {
		return Unknown, "no runtime to exec in"
	}
	stdout, stderr, code, err := rt.ExecSync(ctx, containerID, cmd, timeout)
	if err != nil {
		if isTimeout(err) {
			return Failure, fmt.Sprintf("command %q timed out", strings.Join(cmd, " "))
		}
		return Unknown, err.Error()
	}
	out := append(append([]byte{}, stdout...), stderr...)
	if len(out) > maxExecOutput {
		out = out[:maxExecOutput]
	}
	if code != 0 {
		return Failure, string(out)
	}
	return Success, string(out)
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	if s, ok := status.FromError(err); ok && s.Code() == codes.DeadlineExceeded {
		return true
	}
	return strings.Contains(err.Error(), "timed out")
}
