package containerd

import (
	"context"
	"os"
	"strings"

	"github.com/containerd/containerd/v2/cmd/ctr/app"
	"github.com/urfave/cli/v3"

	"github.com/hanok-dev/hanok/internal/datadir"
)

// CtrMain runs containerd's ctr against the node's containerd. args are
// ctr's (without the program name); a leading --data-dir DIR picks the
// node, otherwise the default layout's socket is used. CONTAINERD_ADDRESS
// and --address still win, and the namespace defaults to "k8s.io" (where
// CRI keeps pods) unless -n or CONTAINERD_NAMESPACE say otherwise.
func CtrMain(ctx context.Context, args []string) error {
	dataDir, args := takeDataDir(args)
	cmd := app.New()
	cmd.Name = "ctr"
	for _, f := range cmd.Flags {
		sf, ok := f.(*cli.StringFlag)
		if !ok {
			continue
		}
		switch sf.Name {
		case "address":
			sf.Value = datadir.New(dataDir).ContainerdSocket()
		case "namespace":
			sf.Value = Namespace
		}
	}
	return cmd.Run(ctx, append([]string{"ctr"}, args...))
}

// takeDataDir removes a leading "--data-dir DIR" or "--data-dir=DIR" (also
// with one dash) from args.
func takeDataDir(args []string) (string, []string) {
	if len(args) == 0 {
		return os.Getenv("HANOK_DATA_DIR"), args
	}
	a := args[0]
	for _, p := range []string{"--data-dir", "-data-dir"} {
		if a == p && len(args) > 1 {
			return args[1], args[2:]
		}
		if v, ok := strings.CutPrefix(a, p+"="); ok {
			return v, args[1:]
		}
	}
	return os.Getenv("HANOK_DATA_DIR"), args
}
