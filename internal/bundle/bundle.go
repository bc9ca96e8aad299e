package bundle

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/hanok-dev/hanok/internal/bundle/manifest"
)

// PauseImage is the sandbox image of every pod; it is shipped inside hanok
// (PauseImageTar), so it never comes from a registry.
const PauseImage = manifest.PauseImage

// ErrNotBuilt means the binary embeds no assets: it was built with a plain
// `go build` rather than with make.
var ErrNotBuilt = errors.New("hanok was built without its bundle (runc, CNI plugins, pause image); build it with make")

// embedded holds assets/: always its README, and the built assets when the
// binary was made with make. Files are read from the binary's read-only data
// as they are needed, never copied whole into memory.
//
//go:embed all:assets
var embedded embed.FS

// assets is the assets folder as a file system.
func assets() fs.FS {
	sub, err := fs.Sub(embedded, "assets")
	if err != nil {
		panic(err) // the pattern above guarantees the folder
	}
	return sub
}

// PauseImageTar opens the embedded pause image, a docker-archive tar named
// PauseImage. The caller closes it.
func PauseImageTar() (io.ReadCloser, error) {
	return openPauseImage(assets())
}

func openPauseImage(fsys fs.FS) (io.ReadCloser, error) {
	m, err := readManifest(fsys)
	if err != nil {
		return nil, err
	}
	if m.PauseImage != PauseImage {
		return nil, fmt.Errorf("the embedded pause image is %q, this hanok expects %q; rebuild with make", m.PauseImage, PauseImage)
	}
	f, err := fsys.Open(manifest.PauseImageFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotBuilt
	}
	return f, err
}

// readManifest loads the assets' manifest; its absence means no bundle.
func readManifest(fsys fs.FS) (manifest.Manifest, error) {
	f, err := fsys.Open(manifest.FileName)
	if errors.Is(err, fs.ErrNotExist) {
		return manifest.Manifest{}, ErrNotBuilt
	}
	if err != nil {
		return manifest.Manifest{}, err
	}
	defer f.Close()
	return manifest.Read(f)
}
