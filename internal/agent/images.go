package agent

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hanok-dev/hanok/internal/bundle"
	"github.com/hanok-dev/hanok/internal/containerd"
	"github.com/hanok-dev/hanok/internal/datadir"
)

// importImages loads the pause image shipped inside hanok and every airgap
// tarball in <data-dir>/agent/images, so pods start with no registry.
func importImages(ctx context.Context, layout datadir.Layout) error {
	pause, err := bundle.PauseImageTar()
	if err != nil {
		return err
	}
	defer pause.Close()
	// Pinned, so image garbage collection never removes it.
	if _, err := containerd.ImportImage(ctx, layout.ContainerdSocket(), pause, containerd.ImportOptions{Pinned: true}); err != nil {
		return fmt.Errorf("importing the pause image: %w", err)
	}
	for _, path := range airgapTarballs(layout.ImagesDir()) {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		err = containerd.ImportImages(ctx, layout.ContainerdSocket(), f)
		f.Close()
		if err != nil {
			// One bad tarball must not keep the node down; say which.
			log.WithError(err).Errorf("importing airgap images from %s", path)
			continue
		}
		log.Infof("imported airgap images from %s", path)
	}
	return nil
}

// airgapTarballs lists the image tarballs in dir, in name order.
func airgapTarballs(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var paths []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".tar") {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(paths)
	return paths
}
