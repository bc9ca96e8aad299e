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
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cli.NewApp().RunContext(ctx, os.Args); err != nil {
		logrus.Fatal(err)
	}
}
