package imagebuild

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// epoch is the creation time of every image and file, so builds reproduce.
var epoch = time.Unix(0, 0).UTC()

// File is one entry of the image's filesystem.
type File struct {
	// Path is absolute inside the image ("/bin/sh"); missing parent folders
	// are added with mode 0755.
	Path string
	// Mode holds the permission bits and the type: fs.ModeDir for a folder,
	// fs.ModeSymlink for a link (implied when Link is set), and the
	// fs.ModeSticky/ModeSetuid/ModeSetgid bits. Zero means 0644 (0755 for
	// a folder).
	Mode fs.FileMode
	// Data is a regular file's content.
	Data []byte
	// Link is a symlink's target.
	Link string
	// UID and GID own the entry (root by default).
	UID, GID int
}

// Image is what to build: the files of its single layer and its config.
type Image struct {
	Files      []File
	Entrypoint []string
	Cmd        []string
	Env        []string
	WorkingDir string
	User       string
	Labels     map[string]string
}

// With returns a copy of the image with more files; a later file with the
// same path replaces an earlier one.
func (img Image) With(files ...File) Image {
	img.Files = append(append([]File(nil), img.Files...), files...)
	return img
}

// Dir is a folder entry.
func Dir(path string, perm fs.FileMode) File { return File{Path: path, Mode: fs.ModeDir | perm} }

// Symlink is a symbolic link entry.
func Symlink(path, target string) File {
	return File{Path: path, Mode: fs.ModeSymlink | 0o777, Link: target}
}

// Executable is a regular file with mode 0755.
func Executable(path string, data []byte) File { return File{Path: path, Mode: 0o755, Data: data} }

// Build assembles the image: one gzip layer holding the files, and a config
// for linux on the architecture hanok runs on.
func Build(img Image) (v1.Image, error) {
	layerTar, err := layerTar(img.Files)
	if err != nil {
		return nil, err
	}
	layer, err := newLayer(layerTar)
	if err != nil {
		return nil, fmt.Errorf("layer: %w", err)
	}
	withLayer, err := mutate.Append(empty.Image, mutate.Addendum{
		Layer:   layer,
		History: v1.History{CreatedBy: "hanok imagebuild", Created: v1.Time{Time: epoch}},
	})
	if err != nil {
		return nil, err
	}
	base, err := withLayer.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg := base.DeepCopy()
	cfg.Architecture = runtime.GOARCH
	cfg.OS = "linux"
	cfg.Created = v1.Time{Time: epoch}
	cfg.Config = v1.Config{
		Entrypoint: img.Entrypoint,
		Cmd:        img.Cmd,
		Env:        img.Env,
		WorkingDir: img.WorkingDir,
		User:       img.User,
		Labels:     img.Labels,
	}
	return mutate.ConfigFile(withLayer, cfg)
}

// Write builds the image and writes it to path as a docker-archive tar whose
// manifest.json names it ref (containerd normalises "busybox:1" to
// "docker.io/library/busybox:1" on import). The file appears atomically.
func Write(path, ref string, img Image) error {
	tag, err := name.NewTag(ref)
	if err != nil {
		return fmt.Errorf("image reference %q: %w", ref, err)
	}
	built, err := Build(img)
	if err != nil {
		return fmt.Errorf("build %s: %w", ref, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tarball.Write(tag, built, tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// WriteTo builds the image and streams it to w as a docker-archive tar.
func WriteTo(w io.Writer, ref string, img Image) error {
	tag, err := name.NewTag(ref)
	if err != nil {
		return fmt.Errorf("image reference %q: %w", ref, err)
	}
	built, err := Build(img)
	if err != nil {
		return fmt.Errorf("build %s: %w", ref, err)
	}
	return tarball.Write(tag, built, w)
}
