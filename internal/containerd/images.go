package containerd

import (
	"context"
	"fmt"
	"io"
	"strings"

	containerdclient "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/distribution/reference"
	"github.com/sirupsen/logrus"
)

// Namespace is the containerd namespace the CRI plugin works in.
const Namespace = "k8s.io"

// Labels the CRI plugin reads on an image: "managed" makes it a CRI image;
// "pinned" keeps the kubelet's image GC away (for the pause image).
const (
	criImageLabel  = "io.cri-containerd.image"
	criPinnedLabel = "io.cri-containerd.pinned"
)

// ImportOptions tune one import.
type ImportOptions struct {
	// Pinned marks the images as never garbage-collected by the kubelet.
	Pinned bool
}

// ImportImages imports image tarballs (docker-archive or OCI layout, as
// written by `docker save`, `ctr export` or go-containerregistry) into
// namespace "k8s.io", unpacked for overlayfs and labelled for CRI.
func ImportImages(ctx context.Context, socket string, tarballs ...io.Reader) error {
	for i, r := range tarballs {
		if _, err := ImportImage(ctx, socket, r, ImportOptions{}); err != nil {
			return fmt.Errorf("image tarball %d: %w", i+1, err)
		}
	}
	return nil
}

// ImportImage imports one image tarball stream (see ImportImages) and
// returns the names of the images it held.
func ImportImage(ctx context.Context, socket string, r io.Reader, opts ImportOptions) ([]string, error) {
	client, err := containerdclient.New(socket, containerdclient.WithDefaultNamespace(Namespace))
	if err != nil {
		return nil, fmt.Errorf("connecting to containerd at %s: %w", socket, err)
	}
	defer client.Close()
	labels := map[string]string{criImageLabel: "managed"}
	if opts.Pinned {
		labels[criPinnedLabel] = "pinned"
	}
	imgs, err := client.Import(ctx, r,
		containerdclient.WithImageRefTranslator(normalizeImageName),
		containerdclient.WithImageLabels(labels),
		containerdclient.WithSkipMissing(),
	)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(imgs))
	for _, img := range imgs {
		image := containerdclient.NewImage(client, img)
		if err := image.Unpack(ctx, "overlayfs"); err != nil {
			return names, fmt.Errorf("unpacking %s: %w", img.Name, err)
		}
		names = append(names, img.Name)
		logrus.WithField("component", "containerd").WithField("image", img.Name).Debug("image imported")
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("the archive names no image (OCI archives need an %q annotation)", images.AnnotationImageName)
	}
	return names, nil
}

// normalizeImageName turns an OCI ref.name annotation into the full name CRI
// looks images up by ("busybox:1" -> "docker.io/library/busybox:1"); a bare
// tag ("latest") names nothing and is dropped.
func normalizeImageName(name string) string {
	if !strings.ContainsAny(name, ":/@") {
		return ""
	}
	named, err := reference.ParseDockerRef(name)
	if err != nil {
		return ""
	}
	return named.String()
}
