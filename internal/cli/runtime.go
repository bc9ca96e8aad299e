package cli

import (
	"github.com/urfave/cli/v2"

	"github.com/hanok-dev/hanok/internal/containerd"
)

// runtimeCommands are the bundled container runtime and its two clients.
// Each owns its own flags, so hanok passes the arguments through untouched.
func runtimeCommands() []*cli.Command {
	passThrough := func(name, usage string, main func(*cli.Context) error) *cli.Command {
		return &cli.Command{Name: name, Usage: usage, SkipFlagParsing: true, HideHelpCommand: true, Action: main}
	}
	return []*cli.Command{
		passThrough("containerd", "Run the bundled containerd (the agent starts it)", func(c *cli.Context) error {
			return containerd.Main(c.Context, c.Args().Slice())
		}),
		passThrough("ctr", "Run containerd's ctr against the bundled containerd", func(c *cli.Context) error {
			return containerd.CtrMain(c.Context, c.Args().Slice())
		}),
		passThrough("crictl", "Run a CRI client against the bundled containerd", func(c *cli.Context) error {
			return containerd.CrictlMain(c.Context, c.Args().Slice())
		}),
	}
}
