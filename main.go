// Command hanok is a Kubernetes distribution in one binary: `hanok server`
// runs the control plane, `hanok agent` a node.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/sirupsen/logrus"

	"github.com/hanok-dev/hanok/internal/cli"
	"github.com/hanok-dev/hanok/internal/containerd"
)

func main() {
	// containerd starts its shim by name; the shim is hanok itself, linked
	// as containerd-shim-runc-v2 in the extracted bin folder.
	if containerd.IsShim() {
		containerd.ShimMain()
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cli.NewApp().RunContext(ctx, os.Args); err != nil {
		logrus.Fatal(err)
	}
}
