package imagebuild

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// entry is what the test reads back from a layer.
type entry struct {
	typ  byte
	mode int64
	link string
	data []byte
}

func readLayerFiles(t *testing.T, img v1.Image) map[string]entry {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	out := map[string]entry{}
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out["/"+strings.TrimSuffix(hdr.Name, "/")] = entry{hdr.Typeflag, hdr.Mode, hdr.Linkname, data}
	}
	return out
}

func needBusybox(t *testing.T) {
	t.Helper()
	if err := checkStatic(BusyboxPath); err != nil {
		t.Skipf("no static busybox (apt-get install busybox-static): %v", err)
	}
}

func TestBusyboxImageTarReadsBack(t *testing.T) {
	needBusybox(t)
	img, err := Busybox()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "busybox.tar")
	if err := Write(path, "busybox:test", img); err != nil {
		t.Fatal(err)
	}

	tag, _ := name.NewTag("busybox:test")
	back, err := tarball.ImageFromPath(path, &tag)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := back.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OS != "linux" || cfg.Architecture != runtime.GOARCH {
		t.Errorf("platform %s/%s, want linux/%s", cfg.OS, cfg.Architecture, runtime.GOARCH)
	}
	if got := strings.Join(cfg.Config.Cmd, " "); got != "sh" {
		t.Errorf("cmd %q, want sh", got)
	}
	if len(cfg.Config.Env) != 1 || cfg.Config.Env[0] != "PATH="+Path {
		t.Errorf("env %q", cfg.Config.Env)
	}
	layers, err := back.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("layers %d, %v; want 1", len(layers), err)
	}
	if len(cfg.RootFS.DiffIDs) != 1 {
		t.Fatalf("diff ids %v", cfg.RootFS.DiffIDs)
	}
	if diffID, _ := layers[0].DiffID(); diffID != cfg.RootFS.DiffIDs[0] {
		t.Errorf("layer diff id %s, config says %s", diffID, cfg.RootFS.DiffIDs[0])
	}

	files := readLayerFiles(t, back)
	want, _ := os.ReadFile(BusyboxPath)
	if bb := files["/bin/busybox"]; bb.typ != tar.TypeReg || bb.mode != 0o755 || len(bb.data) != len(want) {
		t.Errorf("/bin/busybox: type %c mode %o size %d", bb.typ, bb.mode, len(bb.data))
	}
	for _, applet := range []string{"/bin/sh", "/bin/echo", "/bin/sleep", "/bin/cat", "/usr/bin/wget", "/usr/bin/nc", "/usr/sbin/httpd", "/bin/ls"} {
		if e := files[applet]; e.typ != tar.TypeSymlink || e.link != "/bin/busybox" {
			t.Errorf("%s: type %c link %q, want a link to /bin/busybox", applet, e.typ, e.link)
		}
	}
	if tmp := files["/tmp"]; tmp.typ != tar.TypeDir || tmp.mode != 0o1777 {
		t.Errorf("/tmp: type %c mode %o, want a folder 1777", tmp.typ, tmp.mode)
	}
	for _, dir := range []string{"/bin", "/usr", "/usr/bin", "/etc"} {
		if files[dir].typ != tar.TypeDir {
			t.Errorf("%s is missing as a folder", dir)
		}
	}
	if p := string(files["/etc/passwd"].data); !strings.Contains(p, "root:x:0:0:") || !strings.Contains(p, "nobody:x:65534:65534:") {
		t.Errorf("/etc/passwd = %q", p)
	}
	if g := string(files["/etc/group"].data); !strings.Contains(g, "root:x:0:") || !strings.Contains(g, "nobody:x:65534:") {
		t.Errorf("/etc/group = %q", g)
	}
}

// The docker-archive names the image as given; containerd normalises it on
// import.
func TestWriteRecordsTheReference(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.tar")
	img := Image{Files: []File{{Path: "/hello", Data: []byte("hi")}}, Cmd: []string{"/hello"}}
	if err := Write(path, "ghcr.io/hanok-dev/test:1", img); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err != nil {
			t.Fatalf("no manifest.json: %v", err)
		}
		if hdr.Name != "manifest.json" {
			continue
		}
		var m []struct{ RepoTags []string }
		if err := json.NewDecoder(tr).Decode(&m); err != nil {
			t.Fatal(err)
		}
		if len(m) != 1 || len(m[0].RepoTags) != 1 || m[0].RepoTags[0] != "ghcr.io/hanok-dev/test:1" {
			t.Fatalf("manifest.json = %+v", m)
		}
		return
	}
}

func TestBuildIsReproducible(t *testing.T) {
	img := Image{
		Files: []File{
			{Path: "/b/file", Data: []byte("b")},
			{Path: "/a", Mode: 0o755, Data: []byte("a")},
			Symlink("/b/link", "file"),
		},
		Entrypoint: []string{"/a"},
	}
	digest := func(img Image) v1.Hash {
		built, err := Build(img)
		if err != nil {
			t.Fatal(err)
		}
		d, err := built.Digest()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	first := digest(img)
	reordered := img
	reordered.Files = []File{img.Files[2], img.Files[1], img.Files[0]}
	if second := digest(reordered); second != first {
		t.Fatalf("same files gave digests %s and %s", first, second)
	}
	if changed := digest(img.With(File{Path: "/a", Data: []byte("other")})); changed == first {
		t.Fatal("a changed file kept the digest")
	}
}

func TestLayerRules(t *testing.T) {
	cases := []struct {
		name    string
		files   []File
		wantErr string
	}{
		{"relative path", []File{{Path: "etc/x"}}, "not absolute"},
		{"root", []File{{Path: "/"}}, "names the root"},
		{"file used as folder", []File{{Path: "/a", Data: []byte("x")}, {Path: "/a/b"}}, "not a folder"},
		{"later file wins", []File{{Path: "/a", Data: []byte("1")}, {Path: "/a", Data: []byte("2")}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := layerTar(c.files)
			if c.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want %q", err, c.wantErr)
			}
		})
	}
}

func TestFileModes(t *testing.T) {
	cases := []struct {
		file     File
		wantType byte
		wantMode int64
	}{
		{File{Path: "/f"}, tar.TypeReg, 0o644},
		{File{Path: "/x", Mode: 0o4755}, tar.TypeReg, 0o755},
		{File{Path: "/s", Mode: fs.ModeSetuid | 0o755}, tar.TypeReg, 0o4755},
		{Dir("/d", 0), tar.TypeDir, 0o755},
		{Dir("/t", fs.ModeSticky|0o777), tar.TypeDir, 0o1777},
		{File{Path: "/l", Link: "/f"}, tar.TypeSymlink, 0o777},
	}
	for _, c := range cases {
		hdr := header(File{Path: c.file.Path[1:], Mode: c.file.Mode, Link: c.file.Link})
		if hdr.Typeflag != c.wantType || hdr.Mode != c.wantMode {
			t.Errorf("%s: type %c mode %o, want %c %o", c.file.Path, hdr.Typeflag, hdr.Mode, c.wantType, c.wantMode)
		}
	}
}

// The busybox image really works: unpacked and entered with chroot, its
// shell runs applets through the links.
func TestBusyboxRunsInChroot(t *testing.T) {
	needBusybox(t)
	if os.Geteuid() != 0 {
		t.Skip("chroot needs root")
	}
	img, err := Busybox()
	if err != nil {
		t.Fatal(err)
	}
	built, err := Build(img)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	unpack(t, built, root)
	out, err := exec.Command("chroot", root, "/bin/sh", "-c", "echo hello > /tmp/x && cat /tmp/x && ls /usr/bin/wget").CombinedOutput()
	if err != nil {
		t.Fatalf("chroot: %v\n%s", err, out)
	}
	if got := string(out); got != "hello\n/usr/bin/wget\n" {
		t.Fatalf("output %q", got)
	}
}

func TestGoProgramImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go program")
	}
	img, err := GoProgram("../bundle/pause")
	if err != nil {
		t.Fatal(err)
	}
	if len(img.Entrypoint) != 1 || img.Entrypoint[0] != "/pause" {
		t.Fatalf("entrypoint %q, want /pause", img.Entrypoint)
	}
	built, err := Build(img)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	unpack(t, built, root)
	out, err := exec.Command(filepath.Join(root, "pause"), "-v").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "pause.hanok") {
		t.Fatalf("pause -v: %v %q", err, out)
	}
	if err := checkStatic(filepath.Join(root, "pause")); err != nil {
		t.Fatal(err)
	}
}

// unpack writes an image's filesystem into dir.
func unpack(t *testing.T, img v1.Image, dir string) {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dir, hdr.Name)
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, fs.FileMode(hdr.Mode).Perm()); err != nil {
				t.Fatal(err)
			}
		case tar.TypeSymlink:
			if err := os.Symlink(hdr.Linkname, target); err != nil {
				t.Fatal(err)
			}
		case tar.TypeReg:
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(target, data, fs.FileMode(hdr.Mode).Perm()); err != nil {
				t.Fatal(err)
			}
		}
	}
}
