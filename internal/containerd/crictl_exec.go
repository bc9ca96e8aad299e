package containerd

import (
	"fmt"
	"io"
	"net/url"
	"os"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/tools/remotecommand"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// cmdExecStream runs `exec -i`/`exec -it`: CRI hands out a URL on the
// runtime's streaming server (127.0.0.1), spoken to with SPDY as kubectl
// does through the kubelet.
func cmdExecStream(c *cli.Context, cri *criClients, stdin io.Reader) error {
	if err := needArgs(c, 2); err != nil {
		return err
	}
	id, err := resolveContainer(c.Context, cri, c.Args().First())
	if err != nil {
		return err
	}
	tty := c.Bool("tty")
	resp, err := cri.rt.Exec(c.Context, &runtimeapi.ExecRequest{
		ContainerId: id,
		Cmd:         c.Args().Slice()[1:],
		Tty:         tty,
		Stdin:       c.Bool("interactive"),
		Stdout:      true,
		Stderr:      !tty, // a terminal has one output stream
	})
	if err != nil {
		return err
	}
	u, err := url.Parse(resp.Url)
	if err != nil {
		return fmt.Errorf("runtime gave a bad stream URL %q: %w", resp.Url, err)
	}
	executor, err := remotecommand.NewSPDYExecutor(&restclient.Config{}, "POST", u)
	if err != nil {
		return err
	}
	opts := remotecommand.StreamOptions{Stdout: c.App.Writer, Tty: tty}
	if c.Bool("interactive") {
		opts.Stdin = stdin
	}
	if !tty {
		opts.Stderr = c.App.ErrWriter
	}
	if f, ok := stdin.(*os.File); ok && tty && term.IsTerminal(int(f.Fd())) {
		state, err := term.MakeRaw(int(f.Fd()))
		if err != nil {
			return err
		}
		defer term.Restore(int(f.Fd()), state)
	}
	return executor.StreamWithContext(c.Context, opts)
}
