package containerd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	internalapi "k8s.io/cri-api/pkg/apis"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	criclient "k8s.io/cri-client/pkg"
	"k8s.io/cri-client/pkg/logs"

	"github.com/hanok-dev/hanok/internal/datadir"
)

// CrictlMain runs `hanok crictl`: a small crictl over CRI. args exclude the
// program name. The endpoint is --runtime-endpoint/-r, else
// CONTAINER_RUNTIME_ENDPOINT, else the socket of --data-dir (default layout).
func CrictlMain(ctx context.Context, args []string) error {
	return crictlApp(os.Stdin, os.Stdout, os.Stderr).RunContext(ctx, append([]string{"crictl"}, args...))
}

// criClients are the two CRI services of one endpoint.
type criClients struct {
	rt  internalapi.RuntimeService
	img internalapi.ImageManagerService
}

// globalOpts are the app-level flags, read before any command runs (exec
// has a --timeout of its own, which would shadow the global one).
type globalOpts struct {
	endpoint string
	timeout  time.Duration
}

func (o *globalOpts) read(c *cli.Context) error {
	o.endpoint = c.String("runtime-endpoint")
	if o.endpoint == "" {
		o.endpoint = "unix://" + datadir.New(c.String("data-dir")).ContainerdSocket()
	}
	o.timeout = c.Duration("timeout")
	return nil
}

func (o *globalOpts) connect(ctx context.Context) (*criClients, error) {
	rt, err := criclient.NewRemoteRuntimeServiceBuilder().WithEndpoint(o.endpoint).WithConnectionTimeout(o.timeout).Build(ctx)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", o.endpoint, err)
	}
	img, err := criclient.NewRemoteImageServiceBuilder().WithEndpoint(o.endpoint).WithConnectionTimeout(o.timeout).Build(ctx)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", o.endpoint, err)
	}
	return &criClients{rt: rt, img: img}, nil
}

func crictlApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	opts := &globalOpts{}
	// withCRI wraps a command action with a connection.
	withCRI := func(f func(c *cli.Context, cri *criClients) error) cli.ActionFunc {
		return func(c *cli.Context) error {
			cri, err := opts.connect(c.Context)
			if err != nil {
				return err
			}
			return f(c, cri)
		}
	}
	return &cli.App{
		Before:    opts.read,
		Name:      "crictl",
		Usage:     "inspect the node's containers and pods over CRI",
		Writer:    stdout,
		ErrWriter: stderr,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "runtime-endpoint", Aliases: []string{"r", "image-endpoint", "i"},
				EnvVars: []string{"CONTAINER_RUNTIME_ENDPOINT"}, Usage: "CRI endpoint (default: the node's containerd socket)"},
			&cli.StringFlag{Name: "data-dir", Aliases: []string{"d"}, EnvVars: []string{"HANOK_DATA_DIR"},
				Usage: "node data dir whose containerd to use"},
			&cli.DurationFlag{Name: "timeout", Aliases: []string{"t"}, Value: 10 * time.Second, Usage: "connection timeout"},
		},
		Commands: []*cli.Command{
			{Name: "ps", Usage: "list containers", Flags: []cli.Flag{
				&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "show all containers, not only running ones"},
				&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only IDs"},
				&cli.StringFlag{Name: "pod", Aliases: []string{"p"}, Usage: "only containers of this pod sandbox ID"},
				&cli.StringFlag{Name: "name", Usage: "only containers whose name contains this"},
			}, Action: withCRI(cmdPs)},
			{Name: "pods", Usage: "list pod sandboxes", Flags: []cli.Flag{
				&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only IDs"},
				&cli.StringFlag{Name: "name", Usage: "only pods whose name contains this"},
				&cli.StringFlag{Name: "namespace", Usage: "only pods of this namespace"},
			}, Action: withCRI(cmdPods)},
			{Name: "images", Aliases: []string{"image", "img"}, Usage: "list images", Flags: []cli.Flag{
				&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only IDs"},
			}, Action: withCRI(cmdImages)},
			{Name: "inspect", Usage: "show containers' status as JSON", ArgsUsage: "CONTAINER-ID...", Action: withCRI(cmdInspect)},
			{Name: "inspectp", Usage: "show pod sandboxes' status as JSON", ArgsUsage: "POD-ID...", Action: withCRI(cmdInspectp)},
			{Name: "inspecti", Usage: "show images' status as JSON", ArgsUsage: "IMAGE...", Action: withCRI(cmdInspecti)},
			{Name: "logs", Usage: "print a container's log", ArgsUsage: "CONTAINER-ID", Flags: []cli.Flag{
				&cli.BoolFlag{Name: "follow", Aliases: []string{"f"}, Usage: "follow the log"},
				&cli.Int64Flag{Name: "tail", Value: -1, Usage: "lines from the end (-1: all)"},
				&cli.BoolFlag{Name: "timestamps", Aliases: []string{"t"}, Usage: "show timestamps"},
			}, Action: withCRI(cmdLogs)},
			{Name: "exec", Usage: "run a command in a container", ArgsUsage: "CONTAINER-ID COMMAND [ARG...]",
				Flags: []cli.Flag{
					&cli.DurationFlag{Name: "timeout", Usage: "command timeout for a non-interactive exec (0: none)"},
					&cli.BoolFlag{Name: "interactive", Aliases: []string{"i"}, Usage: "stream stdin to the command"},
					&cli.BoolFlag{Name: "tty", Aliases: []string{"t"}, Usage: "allocate a terminal"},
				}, Action: withCRI(func(c *cli.Context, cri *criClients) error {
					if c.Bool("interactive") || c.Bool("tty") {
						return cmdExecStream(c, cri, stdin)
					}
					return cmdExec(c, cri)
				})},
			{Name: "stop", Usage: "stop containers", ArgsUsage: "CONTAINER-ID...", Flags: []cli.Flag{
				&cli.Int64Flag{Name: "timeout", Aliases: []string{"t"}, Value: 10, Usage: "seconds before SIGKILL"},
			}, Action: withCRI(cmdStop)},
			{Name: "rm", Usage: "remove containers", ArgsUsage: "CONTAINER-ID...", Flags: []cli.Flag{
				&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "stop running containers first"},
			}, Action: withCRI(cmdRm)},
			{Name: "stopp", Usage: "stop pod sandboxes", ArgsUsage: "POD-ID...", Action: withCRI(cmdStopp)},
			{Name: "rmp", Usage: "remove pod sandboxes", ArgsUsage: "POD-ID...", Flags: []cli.Flag{
				&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "stop ready pods first"},
			}, Action: withCRI(cmdRmp)},
			{Name: "version", Usage: "show the runtime's version", Action: withCRI(cmdVersion)},
			{Name: "info", Usage: "show the runtime's status as JSON", Action: withCRI(cmdInfo)},
		},
	}
}

func cmdPs(c *cli.Context, cri *criClients) error {
	filter := &runtimeapi.ContainerFilter{PodSandboxId: c.String("pod")}
	if !c.Bool("all") {
		filter.State = &runtimeapi.ContainerStateValue{State: runtimeapi.ContainerState_CONTAINER_RUNNING}
	}
	cs, err := cri.rt.ListContainers(c.Context, filter)
	if err != nil {
		return err
	}
	if name := c.String("name"); name != "" {
		kept := cs[:0]
		for _, ct := range cs {
			if strings.Contains(ct.GetMetadata().GetName(), name) {
				kept = append(kept, ct)
			}
		}
		cs = kept
	}
	pods := map[string]string{}
	if !c.Bool("quiet") {
		ps, err := cri.rt.ListPodSandbox(c.Context, nil)
		if err != nil {
			return err
		}
		for _, p := range ps {
			pods[p.Id] = p.GetMetadata().GetName()
		}
	}
	return writeContainers(c.App.Writer, cs, pods, c.Bool("quiet"), time.Now())
}

func cmdPods(c *cli.Context, cri *criClients) error {
	ps, err := cri.rt.ListPodSandbox(c.Context, nil)
	if err != nil {
		return err
	}
	name, ns := c.String("name"), c.String("namespace")
	kept := ps[:0]
	for _, p := range ps {
		if (name == "" || strings.Contains(p.GetMetadata().GetName(), name)) &&
			(ns == "" || p.GetMetadata().GetNamespace() == ns) {
			kept = append(kept, p)
		}
	}
	return writePods(c.App.Writer, kept, c.Bool("quiet"), time.Now())
}

func cmdImages(c *cli.Context, cri *criClients) error {
	imgs, err := cri.img.ListImages(c.Context, nil)
	if err != nil {
		return err
	}
	return writeImages(c.App.Writer, imgs, c.Bool("quiet"))
}

// resolveContainer accepts a unique ID prefix, as crictl does.
func resolveContainer(ctx context.Context, cri *criClients, id string) (string, error) {
	cs, err := cri.rt.ListContainers(ctx, nil)
	if err != nil {
		return "", err
	}
	var found []string
	for _, ct := range cs {
		if ct.Id == id {
			return id, nil
		}
		if strings.HasPrefix(ct.Id, id) {
			found = append(found, ct.Id)
		}
	}
	return uniqueID("container", id, found)
}

func resolvePod(ctx context.Context, cri *criClients, id string) (string, error) {
	ps, err := cri.rt.ListPodSandbox(ctx, nil)
	if err != nil {
		return "", err
	}
	var found []string
	for _, p := range ps {
		if p.Id == id {
			return id, nil
		}
		if strings.HasPrefix(p.Id, id) {
			found = append(found, p.Id)
		}
	}
	return uniqueID("pod sandbox", id, found)
}

func uniqueID(kind, prefix string, found []string) (string, error) {
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", fmt.Errorf("no %s with ID %q", kind, prefix)
	default:
		return "", fmt.Errorf("%d %ss match the ID prefix %q", len(found), kind, prefix)
	}
}

func needArgs(c *cli.Context, n int) error {
	if c.NArg() < n {
		return fmt.Errorf("%s needs %s", c.Command.Name, c.Command.ArgsUsage)
	}
	return nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// statusWithInfo is crictl's inspect shape: the status, then the runtime's
// verbose info (JSON strings decoded where they are JSON).
func statusWithInfo(status any, info map[string]string) map[string]any {
	out := map[string]any{"status": status}
	decoded := map[string]any{}
	for k, v := range info {
		var j any
		if json.Unmarshal([]byte(v), &j) == nil {
			decoded[k] = j
		} else {
			decoded[k] = v
		}
	}
	if len(decoded) > 0 {
		out["info"] = decoded
	}
	return out
}

// eachArg runs do for every argument (at least one), stopping at the
// first error: the shape of every crictl command that takes IDs.
func eachArg(c *cli.Context, do func(arg string) error) error {
	if err := needArgs(c, 1); err != nil {
		return err
	}
	for _, arg := range c.Args().Slice() {
		if err := do(arg); err != nil {
			return err
		}
	}
	return nil
}

// resolver turns a name or ID prefix into a full container or sandbox ID.
type resolver func(ctx context.Context, cri *criClients, arg string) (string, error)

// eachID is eachArg for commands on containers or sandboxes by ID.
func eachID(c *cli.Context, cri *criClients, resolve resolver, do func(id string) error) error {
	return eachArg(c, func(arg string) error {
		id, err := resolve(c.Context, cri, arg)
		if err != nil {
			return err
		}
		return do(id)
	})
}

func cmdInspect(c *cli.Context, cri *criClients) error {
	return eachID(c, cri, resolveContainer, func(id string) error {
		st, err := cri.rt.ContainerStatus(c.Context, id, true)
		if err != nil {
			return err
		}
		return printJSON(c.App.Writer, statusWithInfo(st.Status, st.Info))
	})
}

func cmdInspectp(c *cli.Context, cri *criClients) error {
	return eachID(c, cri, resolvePod, func(id string) error {
		st, err := cri.rt.PodSandboxStatus(c.Context, id, true)
		if err != nil {
			return err
		}
		return printJSON(c.App.Writer, statusWithInfo(st.Status, st.Info))
	})
}

func cmdInspecti(c *cli.Context, cri *criClients) error {
	return eachArg(c, func(arg string) error {
		st, err := cri.img.ImageStatus(c.Context, &runtimeapi.ImageSpec{Image: arg}, true)
		if err != nil {
			return err
		}
		if st.Image == nil {
			return fmt.Errorf("no image %q", arg)
		}
		return printJSON(c.App.Writer, statusWithInfo(st.Image, st.Info))
	})
}

func cmdLogs(c *cli.Context, cri *criClients) error {
	if err := needArgs(c, 1); err != nil {
		return err
	}
	id, err := resolveContainer(c.Context, cri, c.Args().First())
	if err != nil {
		return err
	}
	st, err := cri.rt.ContainerStatus(c.Context, id, false)
	if err != nil {
		return err
	}
	path := st.GetStatus().GetLogPath()
	if path == "" {
		return fmt.Errorf("container %s has no log file", id)
	}
	opts := &logs.LogOptions{Follow: c.Bool("follow"), Timestamp: c.Bool("timestamps")}
	if tail := c.Int64("tail"); tail >= 0 {
		opts.TailLines = &tail
	}
	return logs.ReadLogs(c.Context, path, id, opts, cri.rt, c.App.Writer, c.App.ErrWriter)
}

// exitError carries a command's exit code to the caller.
type exitError struct{ code int32 }

func (e exitError) Error() string { return fmt.Sprintf("command exited with code %d", e.code) }
func (e exitError) ExitCode() int { return int(e.code) }

func cmdExec(c *cli.Context, cri *criClients) error {
	if err := needArgs(c, 2); err != nil {
		return err
	}
	id, err := resolveContainer(c.Context, cri, c.Args().First())
	if err != nil {
		return err
	}
	stdout, stderr, err := cri.rt.ExecSync(c.Context, id, c.Args().Slice()[1:], c.Duration("timeout"))
	c.App.Writer.Write(stdout)
	c.App.ErrWriter.Write(stderr)
	if err != nil {
		var code interface{ ExitStatus() int }
		if errors.As(err, &code) {
			return exitError{code: int32(code.ExitStatus())}
		}
		return err
	}
	return nil
}

func cmdStop(c *cli.Context, cri *criClients) error {
	return eachID(c, cri, resolveContainer, func(id string) error {
		if err := cri.rt.StopContainer(c.Context, id, c.Int64("timeout")); err != nil {
			return err
		}
		fmt.Fprintln(c.App.Writer, id)
		return nil
	})
}

func cmdRm(c *cli.Context, cri *criClients) error {
	return eachID(c, cri, resolveContainer, func(id string) error {
		if c.Bool("force") {
			if err := cri.rt.StopContainer(c.Context, id, 0); err != nil {
				return err
			}
		}
		if err := cri.rt.RemoveContainer(c.Context, id); err != nil {
			return err
		}
		fmt.Fprintln(c.App.Writer, id)
		return nil
	})
}

func cmdStopp(c *cli.Context, cri *criClients) error {
	return eachID(c, cri, resolvePod, func(id string) error {
		if err := cri.rt.StopPodSandbox(c.Context, id); err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "Stopped sandbox %s\n", id)
		return nil
	})
}

func cmdRmp(c *cli.Context, cri *criClients) error {
	return eachID(c, cri, resolvePod, func(id string) error {
		if c.Bool("force") {
			if err := cri.rt.StopPodSandbox(c.Context, id); err != nil {
				return err
			}
		}
		if err := cri.rt.RemovePodSandbox(c.Context, id); err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "Removed sandbox %s\n", id)
		return nil
	})
}

func cmdVersion(c *cli.Context, cri *criClients) error {
	v, err := cri.rt.Version(c.Context, "v1")
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "Version:  %s\nRuntimeName:  %s\nRuntimeVersion:  %s\nRuntimeApiVersion:  %s\n",
		v.Version, v.RuntimeName, v.RuntimeVersion, v.RuntimeApiVersion)
	return nil
}

func cmdInfo(c *cli.Context, cri *criClients) error {
	st, err := cri.rt.Status(c.Context, true)
	if err != nil {
		return err
	}
	return printJSON(c.App.Writer, statusWithInfo(st.Status, st.Info))
}
