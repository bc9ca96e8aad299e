package containerd

import (
	"context"

	"github.com/containerd/containerd/v2/cmd/containerd/command"
)

// Main runs containerd in this process until it receives SIGTERM or SIGINT
// (containerd installs its own signal handling; ctx is handed to its CLI).
// args are containerd's own flags, e.g. ["--config", path].
func Main(ctx context.Context, args []string) error {
	return command.App().Run(ctx, append([]string{"containerd"}, args...))
}
