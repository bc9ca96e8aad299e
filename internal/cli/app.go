// Package cli turns the command line, HANOK_* environment variables and the
// config file (/etc/hanok/config.yaml, keys = flag names) into the config
// structs the server and agent packages run with. It owns no behaviour of
// its own beyond parsing and checking input.
package cli

import (
	"os"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"

	"github.com/hanok-dev/hanok/internal/logging"
	"github.com/hanok-dev/hanok/internal/version"
)

// NewApp builds the hanok command.
func NewApp() *cli.App {
	app := &cli.App{
		Name:    "hanok",
		Usage:   "Kubernetes in one binary",
		Version: version.Version + " (Kubernetes " + version.GitVersion() + ")",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "debug", Usage: "(logging) Turn on debug logs", EnvVars: []string{"HANOK_DEBUG"}},
		},
		Before: func(c *cli.Context) error {
			logrus.SetOutput(os.Stderr)
			logrus.SetFormatter(&logrus.TextFormatter{FullTimestamp: true})
			if c.Bool("debug") {
				logrus.SetLevel(logrus.DebugLevel)
			}
			logging.RouteKlog()
			return nil
		},
		Commands: append([]*cli.Command{
			serverCommand(),
			agentCommand(),
		}, runtimeCommands()...),
	}
	return app
}
