package imagebuild

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/core/images/archive"
	"github.com/containerd/containerd/v2/plugins/content/local"
	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// containerd's importer (what `ctr images import` and the agent's airgap
// import use) accepts the tars Write makes: it finds the image under its
// normalised name, and the manifest for this platform with its one layer.
func TestContainerdImportsTheTar(t *testing.T) {
	cases := []struct{ ref, wantName string }{
		{"busybox:test", "docker.io/library/busybox:test"},
		{"ghcr.io/hanok-dev/pause:3.10", "ghcr.io/hanok-dev/pause:3.10"},
		{"127.0.0.1:5000/app:v1", "127.0.0.1:5000/app:v1"},
	}
	for _, c := range cases {
		t.Run(c.ref, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "img.tar")
			img := Image{Files: []File{Executable("/app", []byte("#!/bin/sh\n"))}, Entrypoint: []string{"/app"}}
			if err := Write(path, c.ref, img); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			store, err := local.NewStore(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			indexDesc, err := archive.ImportIndex(ctx, store, f)
			if err != nil {
				t.Fatalf("containerd import: %v", err)
			}
			raw, err := content.ReadBlob(ctx, store, indexDesc)
			if err != nil {
				t.Fatal(err)
			}
			var index ocispec.Index
			if err := json.Unmarshal(raw, &index); err != nil {
				t.Fatal(err)
			}
			if len(index.Manifests) != 1 {
				t.Fatalf("index has %d manifests, want 1", len(index.Manifests))
			}
			desc := index.Manifests[0]
			if got := desc.Annotations[images.AnnotationImageName]; got != c.wantName {
				t.Errorf("imported as %q, want %q", got, c.wantName)
			}
			manifest, err := images.Manifest(ctx, store, desc, platforms.Default())
			if err != nil {
				t.Fatalf("no manifest for %s: %v", platforms.DefaultString(), err)
			}
			if len(manifest.Layers) != 1 {
				t.Errorf("%d layers, want 1", len(manifest.Layers))
			}
			cfg, err := images.Config(ctx, store, desc, platforms.Default())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := content.ReadBlob(ctx, store, cfg); err != nil {
				t.Errorf("config blob: %v", err)
			}
		})
	}
}
