package containerd

import (
	"context"
	"os"
	"path/filepath"

	"github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2/manager"
	_ "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2/task/plugin"
	"github.com/containerd/containerd/v2/pkg/shim"
	"github.com/containerd/containerd/v2/plugins"
	"github.com/containerd/plugin"
	"github.com/containerd/plugin/registry"
)

// ShimBinaryName is the name containerd runs the runc v2 shim by; the
// bundle links it to the hanok binary.
const ShimBinaryName = "containerd-shim-runc-v2"

// shimEnv marks the long-running shim: "start" re-executes the shim through
// os.Executable(), which is hanok itself with argv[0] no longer naming the
// shim, so the environment carries the fact instead.
const shimEnv = "HANOK_CONTAINERD_SHIM"

// IsShim reports whether this process was started as the runc v2 shim,
// either by name (containerd's "start"/"delete" calls) or as the shim
// daemon the shim re-executed. main should call ShimMain when it is true,
// before parsing any flags.
func IsShim() bool {
	return filepath.Base(os.Args[0]) == ShimBinaryName || os.Getenv(shimEnv) == "1"
}

// ShimMain runs the runc v2 shim; it never returns.
func ShimMain() {
	_ = os.Setenv(shimEnv, "1")
	keepOnlyShimPlugins()
	shim.RunShim(context.Background(), manager.NewShimManager("io.containerd.runc.v2"))
	os.Exit(0)
}

// keepOnlyShimPlugins drops every plugin but the shim's task service from
// the global registry. hanok links containerd's server plugins too, and the
// shim initialises everything registered: the content store and friends
// would fail there (they have no root) and have no business in a shim.
func keepOnlyShimPlugins() {
	var keep []plugin.Registration
	for _, r := range registry.Graph(func(*plugin.Registration) bool { return false }) {
		if r.Type == plugins.TTRPCPlugin && r.ID == "task" {
			keep = append(keep, r)
		}
	}
	registry.Reset()
	for i := range keep {
		registry.Register(&keep[i])
	}
}
