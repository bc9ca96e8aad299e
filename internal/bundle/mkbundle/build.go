package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sync"

	"github.com/klauspost/compress/zstd"

	"github.com/hanok-dev/hanok/internal/bundle/manifest"
	"github.com/hanok-dev/hanok/internal/imagebuild"
)

// keep are the committed files of the assets folder.
var keep = map[string]bool{"README": true}

// upToDate says whether out already holds a build of these inputs.
func upToDate(out, key string) bool {
	f, err := os.Open(filepath.Join(out, manifest.FileName))
	if err != nil {
		return false
	}
	defer f.Close()
	m, err := manifest.Read(f)
	if err != nil || m.Inputs != key || m.PauseImage != manifest.PauseImage {
		return false
	}
	for _, b := range m.Binaries {
		if _, err := os.Stat(filepath.Join(out, b.File)); err != nil {
			return false
		}
	}
	_, err = os.Stat(filepath.Join(out, manifest.PauseImageFile))
	return err == nil
}

// build makes every asset in a scratch folder, then moves them into out
// with the manifest last, so an interrupted build never looks complete.
func build(ctx context.Context, out, key string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	work, err := os.MkdirTemp(out, ".build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		return err
	}

	// runc links with gcc while the plugins compile: run them side by side.
	var wg sync.WaitGroup
	errs := make([]error, 3)
	wg.Add(3)
	go func() { defer wg.Done(); errs[0] = buildRunc(ctx, bin) }()
	go func() { defer wg.Done(); errs[1] = buildPlugins(ctx, bin) }()
	go func() { defer wg.Done(); errs[2] = buildPause(filepath.Join(work, manifest.PauseImageFile)) }()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}

	m := manifest.Manifest{Inputs: key, PauseImage: manifest.PauseImage}
	for _, name := range append([]string{"runc"}, pluginNames()...) {
		b, err := compress(filepath.Join(bin, name), filepath.Join(work, name+".zst"))
		if err != nil {
			return fmt.Errorf("compress %s: %w", name, err)
		}
		b.Name = name
		m.Binaries = append(m.Binaries, b)
	}
	return install(work, out, m)
}

func buildRunc(ctx context.Context, bin string) error {
	return run(ctx, []string{"CGO_ENABLED=1"}, "go", "build", "-trimpath", "-tags", runcTags,
		"-ldflags", "-s -w -extldflags -static", "-o", filepath.Join(bin, "runc"), runcPackage)
}

func buildPlugins(ctx context.Context, bin string) error {
	version, err := output(ctx, nil, "go", "list", "-m", "-f", "{{.Version}}", "github.com/containernetworking/plugins")
	if err != nil {
		return err
	}
	ldflags := "-s -w -X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=" + version
	args := append([]string{"build", "-trimpath", "-ldflags", ldflags, "-o", bin + "/"}, cniPlugins...)
	return run(ctx, []string{"CGO_ENABLED=0"}, "go", args...)
}

func pluginNames() []string {
	names := make([]string, len(cniPlugins))
	for i, p := range cniPlugins {
		names[i] = path.Base(p)
	}
	return names
}

func buildPause(dest string) error {
	img, err := imagebuild.GoProgram("./internal/bundle/pause")
	if err != nil {
		return err
	}
	img.Labels = map[string]string{"org.opencontainers.image.source": "https://github.com/hanok-dev/hanok"}
	return imagebuild.Write(dest, manifest.PauseImage, img)
}

// compress writes src zstd-compressed to dest and describes src.
func compress(src, dest string) (manifest.Binary, error) {
	in, err := os.Open(src)
	if err != nil {
		return manifest.Binary{}, err
	}
	defer in.Close()
	out, err := os.Create(dest)
	if err != nil {
		return manifest.Binary{}, err
	}
	defer out.Close()
	// A 4 MiB window keeps the decoder small when hanok extracts.
	enc, err := zstd.NewWriter(out, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithWindowSize(4<<20))
	if err != nil {
		return manifest.Binary{}, err
	}
	sum := sha256.New()
	n, err := io.Copy(enc, io.TeeReader(in, sum))
	if err != nil {
		enc.Close()
		return manifest.Binary{}, err
	}
	if err := enc.Close(); err != nil {
		return manifest.Binary{}, err
	}
	return manifest.Binary{File: filepath.Base(dest), SHA256: hex.EncodeToString(sum.Sum(nil)), Size: n}, out.Close()
}

// install moves the new assets into out, removes assets of earlier builds
// and writes the manifest last.
func install(work, out string, m manifest.Manifest) error {
	fresh := map[string]bool{manifest.FileName: true, manifest.PauseImageFile: true}
	for _, b := range m.Binaries {
		fresh[b.File] = true
	}
	_ = os.Remove(filepath.Join(out, manifest.FileName))
	for name := range fresh {
		if name == manifest.FileName {
			continue
		}
		if err := os.Rename(filepath.Join(work, name), filepath.Join(out, name)); err != nil {
			return err
		}
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !fresh[e.Name()] && !keep[e.Name()] && !e.IsDir() {
			if err := os.Remove(filepath.Join(out, e.Name())); err != nil {
				return err
			}
		}
	}
	data, err := m.Marshal()
	if err != nil {
		return err
	}
	tmp := filepath.Join(work, manifest.FileName)
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(out, manifest.FileName))
}

// run runs a command with its output on ours.
func run(ctx context.Context, env []string, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", name, args[0], err)
	}
	return nil
}
