package containerd

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/docker/go-units"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Pod labels the kubelet sets on sandboxes and containers.
const (
	podNameLabel      = "io.kubernetes.pod.name"
	podNamespaceLabel = "io.kubernetes.pod.namespace"
)

// truncatedIDLen is how much of an ID crictl shows in tables; tables use
// crictl's tabwriter settings (cells at least 20 wide, 3 spaces apart).
const truncatedIDLen = 13

// writeContainers prints containers as `crictl ps` does. pods maps sandbox
// IDs to names, for containers whose labels do not carry the pod name.
func writeContainers(w io.Writer, cs []*runtimeapi.Container, pods map[string]string, quiet bool, now time.Time) error {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].CreatedAt > cs[j].CreatedAt })
	if quiet {
		for _, c := range cs {
			fmt.Fprintln(w, c.Id)
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 20, 1, 3, ' ', 0)
	fmt.Fprintln(tw, "CONTAINER\tIMAGE\tCREATED\tSTATE\tNAME\tATTEMPT\tPOD ID\tPOD")
	for _, c := range cs {
		pod := c.Labels[podNameLabel]
		if pod == "" {
			pod = pods[c.PodSandboxId]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n",
			truncateID(c.Id), imageColumn(c), ago(c.CreatedAt, now), containerState(c.State),
			c.GetMetadata().GetName(), c.GetMetadata().GetAttempt(), truncateID(c.PodSandboxId), pod)
	}
	return tw.Flush()
}

// writePods prints sandboxes as `crictl pods` does.
func writePods(w io.Writer, ps []*runtimeapi.PodSandbox, quiet bool, now time.Time) error {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].CreatedAt > ps[j].CreatedAt })
	if quiet {
		for _, p := range ps {
			fmt.Fprintln(w, p.Id)
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 20, 1, 3, ' ', 0)
	fmt.Fprintln(tw, "POD ID\tCREATED\tSTATE\tNAME\tNAMESPACE\tATTEMPT\tRUNTIME")
	for _, p := range ps {
		handler := p.RuntimeHandler
		if handler == "" {
			handler = "(default)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n",
			truncateID(p.Id), ago(p.CreatedAt, now), podState(p.State), p.GetMetadata().GetName(),
			p.GetMetadata().GetNamespace(), p.GetMetadata().GetAttempt(), handler)
	}
	return tw.Flush()
}

// writeImages prints images as `crictl images` does: one row per tag.
func writeImages(w io.Writer, imgs []*runtimeapi.Image, quiet bool) error {
	if quiet {
		for _, img := range imgs {
			fmt.Fprintln(w, img.Id)
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 20, 1, 3, ' ', 0)
	fmt.Fprintln(tw, "IMAGE\tTAG\tIMAGE ID\tSIZE")
	for _, img := range imgs {
		size := units.HumanSizeWithPrecision(float64(img.Size), 3)
		id := strings.TrimPrefix(img.Id, "sha256:")
		if len(id) > truncatedIDLen {
			id = id[:truncatedIDLen]
		}
		if len(img.RepoTags) == 0 {
			repo := "<none>"
			if len(img.RepoDigests) > 0 {
				repo, _, _ = strings.Cut(img.RepoDigests[0], "@")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", repo, "<none>", id, size)
			continue
		}
		for _, tag := range img.RepoTags {
			i := strings.LastIndex(tag, ":")
			repo, t := tag, "<none>"
			if i > strings.LastIndex(tag, "/") {
				repo, t = tag[:i], tag[i+1:]
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", repo, t, id, size)
		}
	}
	return tw.Flush()
}

// imageColumn is what crictl shows as IMAGE: the reference the container
// was created from, or a short image ID when that is a digest.
func imageColumn(c *runtimeapi.Container) string {
	img := c.GetImage().GetImage()
	if (img == "" || strings.HasPrefix(img, "sha256:")) && c.ImageRef != "" {
		img = c.ImageRef
	}
	if id, ok := strings.CutPrefix(img, "sha256:"); ok && len(id) > truncatedIDLen {
		return id[:truncatedIDLen]
	}
	return img
}

func truncateID(id string) string {
	if len(id) > truncatedIDLen {
		return id[:truncatedIDLen]
	}
	return id
}

// ago renders a CRI nanosecond timestamp as crictl does ("5 minutes ago").
func ago(createdAt int64, now time.Time) string {
	if createdAt == 0 {
		return "Unknown"
	}
	return units.HumanDuration(now.Sub(time.Unix(0, createdAt))) + " ago"
}

func containerState(s runtimeapi.ContainerState) string {
	switch s {
	case runtimeapi.ContainerState_CONTAINER_CREATED:
		return "Created"
	case runtimeapi.ContainerState_CONTAINER_RUNNING:
		return "Running"
	case runtimeapi.ContainerState_CONTAINER_EXITED:
		return "Exited"
	default:
		return "Unknown"
	}
}

func podState(s runtimeapi.PodSandboxState) string {
	if s == runtimeapi.PodSandboxState_SANDBOX_READY {
		return "Ready"
	}
	return "NotReady"
}
