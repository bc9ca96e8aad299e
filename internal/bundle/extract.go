package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/sirupsen/logrus"

	"github.com/hanok-dev/hanok/internal/bundle/manifest"
	"github.com/hanok-dev/hanok/internal/datadir"
)

// ShimName is containerd's runc v2 shim: a binary of the bundle, or a
// link to hanok (which can serve as the shim) for a bundle without it.
const ShimName = "containerd-shim-runc-v2"

// currentLink names the link to the running build's folder.
const currentLink = "current"

var log = logrus.WithField("component", "bundle")

// Extract puts the embedded binaries under layout.BundleDir() and points
// layout.BinDir() at them. It is cheap when this build was extracted before:
// a few stats and readlinks.
func Extract(layout datadir.Layout) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find hanok's own path: %w", err)
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	return extract(assets(), layout.BundleDir(), exe)
}

// extract does Extract's work from any file system, for tests.
func extract(fsys fs.FS, bundleDir, exe string) error {
	m, err := readManifest(fsys)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(bundleDir, 0o755); err != nil {
		return err
	}
	hash := m.Hash()
	dir := filepath.Join(bundleDir, hash)
	if !complete(dir, m) {
		log.WithField("dir", dir).Info("extracting the bundled binaries")
		if err := unpack(fsys, m, bundleDir, dir); err != nil {
			return err
		}
	}
	if !m.Has(ShimName) {
		// A bundle without the shim binary: hanok serves as the shim.
		if err := pointLink(filepath.Join(dir, "bin", ShimName), exe); err != nil {
			return fmt.Errorf("link the shim: %w", err)
		}
	}
	if err := pointLink(filepath.Join(bundleDir, currentLink), hash); err != nil {
		return fmt.Errorf("point %s at %s: %w", currentLink, hash, err)
	}
	prune(bundleDir, hash)
	return nil
}

// complete says whether dir holds every binary of the manifest at its size.
func complete(dir string, m manifest.Manifest) bool {
	for _, b := range m.Binaries {
		info, err := os.Stat(filepath.Join(dir, "bin", b.Name))
		if err != nil || !info.Mode().IsRegular() || info.Size() != b.Size {
			return false
		}
	}
	return true
}

// unpack writes the binaries to a temporary folder and renames it into
// place, so dir is either absent or whole; a broken earlier copy is moved
// aside first.
func unpack(fsys fs.FS, m manifest.Manifest, bundleDir, dir string) error {
	tmp, err := os.MkdirTemp(bundleDir, ".extract-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	for _, b := range m.Binaries {
		if err := writeBinary(fsys, b, filepath.Join(bin, b.Name)); err != nil {
			return fmt.Errorf("extract %s: %w", b.Name, err)
		}
	}
	if _, err := os.Lstat(dir); err == nil {
		old, err := os.MkdirTemp(bundleDir, ".broken-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(old)
		if err := os.Rename(dir, filepath.Join(old, "dir")); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Another process may have won the race with the same content.
		if complete(dir, m) {
			return nil
		}
		return err
	}
	return syncDir(bundleDir)
}

// writeBinary decompresses one asset to path (mode 0755), checking its
// digest, and syncs it.
func writeBinary(fsys fs.FS, b manifest.Binary, path string) error {
	src, err := fsys.Open(b.File)
	if err != nil {
		return err
	}
	defer src.Close()
	dec, err := zstd.NewReader(src, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
	if err != nil {
		return err
	}
	defer dec.Close()
	out, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, sum), dec)
	if err != nil {
		out.Close()
		return err
	}
	if got := hex.EncodeToString(sum.Sum(nil)); got != b.SHA256 || n != b.Size {
		out.Close()
		return fmt.Errorf("content is %d bytes with sha256 %s, the manifest says %d bytes %s", n, got, b.Size, b.SHA256)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// pointLink makes path a symlink to target, replacing whatever link was
// there in one rename so readers never see it missing.
func pointLink(path, target string) error {
	if current, err := os.Readlink(path); err == nil && current == target {
		return nil
	}
	tmp := fmt.Sprintf("%s.tmp-%d", path, os.Getpid())
	_ = os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

// prune removes the folders of earlier builds and leftovers of interrupted
// extractions. Nothing running uses them: containerd, its shims and the CNI
// calls all go through current/bin.
func prune(bundleDir, keep string) {
	entries, err := os.ReadDir(bundleDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if name == keep || name == currentLink || !e.IsDir() {
			continue
		}
		if strings.HasPrefix(name, ".extract-") || strings.HasPrefix(name, ".broken-") || isHash(name) {
			if err := os.RemoveAll(filepath.Join(bundleDir, name)); err != nil {
				log.WithError(err).WithField("dir", name).Debug("could not remove an old bundle")
			}
		}
	}
}

// isHash says whether name looks like a manifest.Hash folder, so prune
// leaves anything else in the folder alone.
func isHash(name string) bool {
	if len(name) != 16 {
		return false
	}
	_, err := hex.DecodeString(name)
	return err == nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
