package bundle

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/klauspost/compress/zstd"

	"github.com/hanok-dev/hanok/internal/bundle/manifest"
	"github.com/hanok-dev/hanok/internal/datadir"
)

// fakeAssets is an assets folder holding the given binaries, as mkbundle
// writes it.
func fakeAssets(t *testing.T, binaries map[string]string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{
		"README":                {Data: []byte("readme")},
		manifest.PauseImageFile: {Data: []byte("not really a tar")},
	}
	m := manifest.Manifest{Inputs: "test", PauseImage: PauseImage}
	for name, content := range binaries {
		var buf bytes.Buffer
		enc, err := zstd.NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		enc.Write([]byte(content))
		enc.Close()
		fsys[name+".zst"] = &fstest.MapFile{Data: buf.Bytes()}
		sum := sha256.Sum256([]byte(content))
		m.Binaries = append(m.Binaries, manifest.Binary{
			Name: name, File: name + ".zst", SHA256: hex.EncodeToString(sum[:]), Size: int64(len(content)),
		})
	}
	data, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	fsys[manifest.FileName] = &fstest.MapFile{Data: data}
	return fsys
}

func hashOf(t *testing.T, fsys fstest.MapFS) string {
	t.Helper()
	m, err := readManifest(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return m.Hash()
}

func TestExtractTwiceIsIdempotent(t *testing.T) {
	bundleDir := filepath.Join(t.TempDir(), "data")
	fsys := fakeAssets(t, map[string]string{"runc": "runc-binary", "bridge": "bridge-binary"})
	exe := "/usr/local/bin/hanok"

	if err := extract(fsys, bundleDir, exe); err != nil {
		t.Fatal(err)
	}
	hash := hashOf(t, fsys)
	bin := filepath.Join(bundleDir, "current", "bin")
	for name, want := range map[string]string{"runc": "runc-binary", "bridge": "bridge-binary"} {
		path := filepath.Join(bin, name)
		got, err := os.ReadFile(path)
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
		if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o755 {
			t.Errorf("%s mode %v, %v; want 0755", name, info.Mode(), err)
		}
	}
	if target, err := os.Readlink(filepath.Join(bundleDir, "current")); err != nil || target != hash {
		t.Errorf("current -> %q, %v; want %q", target, err, hash)
	}
	if target, err := os.Readlink(filepath.Join(bin, ShimName)); err != nil || target != exe {
		t.Errorf("shim -> %q, %v; want %q", target, err, exe)
	}

	before, err := os.Stat(filepath.Join(bin, "runc"))
	if err != nil {
		t.Fatal(err)
	}
	if err := extract(fsys, bundleDir, exe); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(filepath.Join(bin, "runc"))
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) || !after.ModTime().Equal(before.ModTime()) {
		t.Error("a second extraction of the same build rewrote the binaries")
	}
	entries, _ := os.ReadDir(bundleDir)
	if len(entries) != 2 {
		t.Errorf("data dir holds %d entries, want the build folder and current: %v", len(entries), entries)
	}
}

func TestExtractNewBuildRepointsCurrent(t *testing.T) {
	bundleDir := filepath.Join(t.TempDir(), "data")
	old := fakeAssets(t, map[string]string{"runc": "v1"})
	next := fakeAssets(t, map[string]string{"runc": "v2"})
	if err := extract(old, bundleDir, "/old/hanok"); err != nil {
		t.Fatal(err)
	}
	if err := extract(next, bundleDir, "/new/hanok"); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(bundleDir, "current", "bin", "runc")); string(got) != "v2" {
		t.Errorf("current runc = %q, want v2", got)
	}
	if target, _ := os.Readlink(filepath.Join(bundleDir, "current", "bin", ShimName)); target != "/new/hanok" {
		t.Errorf("shim -> %q, want /new/hanok", target)
	}
	if _, err := os.Stat(filepath.Join(bundleDir, hashOf(t, old))); !os.IsNotExist(err) {
		t.Errorf("the previous build's folder is still there: %v", err)
	}
}

func TestExtractRepairsABrokenFolder(t *testing.T) {
	bundleDir := filepath.Join(t.TempDir(), "data")
	fsys := fakeAssets(t, map[string]string{"runc": "runc", "portmap": "portmap"})
	if err := extract(fsys, bundleDir, "/hanok"); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(bundleDir, "current", "bin", "portmap")); err != nil {
		t.Fatal(err)
	}
	if err := extract(fsys, bundleDir, "/hanok"); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(bundleDir, "current", "bin", "portmap")); string(got) != "portmap" {
		t.Errorf("portmap = %q after repair", got)
	}
}

func TestExtractRefusesCorruptAssets(t *testing.T) {
	bundleDir := filepath.Join(t.TempDir(), "data")
	fsys := fakeAssets(t, map[string]string{"runc": "runc"})
	other := fakeAssets(t, map[string]string{"runc": "tampered"})
	fsys["runc.zst"] = other["runc.zst"]
	err := extract(fsys, bundleDir, "/hanok")
	if err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("error %v, want a digest mismatch", err)
	}
	if _, err := os.Lstat(filepath.Join(bundleDir, "current")); !os.IsNotExist(err) {
		t.Errorf("current exists after a failed extraction: %v", err)
	}
	entries, _ := os.ReadDir(bundleDir)
	if len(entries) != 0 {
		t.Errorf("leftovers after a failed extraction: %v", entries)
	}
}

func TestMissingAssets(t *testing.T) {
	fsys := fstest.MapFS{"README": {Data: []byte("readme")}}
	if err := extract(fsys, t.TempDir(), "/hanok"); !errors.Is(err, ErrNotBuilt) {
		t.Errorf("extract: %v, want ErrNotBuilt", err)
	}
	if _, err := openPauseImage(fsys); !errors.Is(err, ErrNotBuilt) {
		t.Errorf("pause image: %v, want ErrNotBuilt", err)
	}
	if !strings.Contains(ErrNotBuilt.Error(), "make") {
		t.Errorf("the error %q does not say how to build", ErrNotBuilt)
	}
}

func TestPauseImageReferenceMustMatch(t *testing.T) {
	fsys := fakeAssets(t, nil)
	m, _ := readManifest(fsys)
	m.PauseImage = "example.com/other:1"
	data, _ := m.Marshal()
	fsys[manifest.FileName] = &fstest.MapFile{Data: data}
	if _, err := openPauseImage(fsys); err == nil || !strings.Contains(err.Error(), "example.com/other:1") {
		t.Fatalf("error %v, want a reference mismatch", err)
	}
}

// With the real assets (after make), the extracted binaries run and the
// pause image reads back under its reference.
func TestEmbeddedBundle(t *testing.T) {
	if _, err := readManifest(assets()); errors.Is(err, ErrNotBuilt) {
		t.Skip("no bundle embedded; run scripts/build-bundle.sh")
	}
	layout := datadir.New(t.TempDir())
	if err := Extract(layout); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(filepath.Join(layout.BinDir(), "runc"), "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "libseccomp") {
		t.Errorf("runc --version: %v\n%s", err, out)
	}
	for _, plugin := range []string{"bridge", "host-local", "loopback", "portmap"} {
		cmd := exec.Command(filepath.Join(layout.BinDir(), plugin))
		cmd.Env = []string{"CNI_COMMAND=VERSION"}
		cmd.Stdin = strings.NewReader(`{"cniVersion":"1.0.0"}`)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "1.0.0") {
			t.Errorf("%s VERSION: %v\n%s", plugin, err, out)
		}
	}
	// containerd's shim ships as its own binary: it answers -v.
	if out, err := exec.Command(filepath.Join(layout.BinDir(), ShimName), "-v").CombinedOutput(); err != nil || !strings.Contains(string(out), "containerd-shim-runc-v2") {
		t.Errorf("%s -v: %v\n%s", ShimName, err, out)
	}

	rc, err := PauseImageTar()
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	tag, _ := name.NewTag(PauseImage)
	img, err := tarball.Image(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, &tag)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Config.Entrypoint) != 1 || cfg.Config.Entrypoint[0] != "/pause" {
		t.Errorf("pause entrypoint %q", cfg.Config.Entrypoint)
	}
}

// BenchmarkExtract times the agent's start-up cost: a first extraction of
// the embedded bundle, and the check when it is already on disk.
func BenchmarkExtract(b *testing.B) {
	if _, err := readManifest(assets()); errors.Is(err, ErrNotBuilt) {
		b.Skip("no bundle embedded; run scripts/build-bundle.sh")
	}
	b.Run("first", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if err := Extract(datadir.New(b.TempDir())); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("again", func(b *testing.B) {
		layout := datadir.New(b.TempDir())
		if err := Extract(layout); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := Extract(layout); err != nil {
				b.Fatal(err)
			}
		}
	})
}
