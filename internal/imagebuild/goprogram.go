package imagebuild

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// GoProgram builds the Go main package in pkgDir (a folder, relative to the
// current one or absolute, inside any module) as a static binary
// (CGO_ENABLED=0, stripped, -trimpath) for linux on this architecture, and
// returns an image holding it at /<folder name>, its entrypoint.
//
// Combine it with Busybox (bb.With(prog.Files...)) for a shell beside it.
func GoProgram(pkgDir string) (Image, error) {
	bin, err := BuildGo(context.Background(), pkgDir, ".")
	if err != nil {
		return Image{}, err
	}
	target := "/" + programName(pkgDir, ".")
	return Image{
		Files:      []File{Executable(target, bin)},
		Entrypoint: []string{target},
		Env:        []string{"PATH=" + Path},
	}, nil
}

// BuildGo compiles a static Go program and returns the binary's bytes. pkg
// is anything `go build` takes, resolved from dir ("" is the current folder).
func BuildGo(ctx context.Context, dir, pkg string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "imagebuild-go-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "prog")
	cmd := exec.CommandContext(ctx, goTool(), "build", "-trimpath", "-ldflags", "-s -w", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build %s: %w\n%s", pkg, err, msg)
	}
	return os.ReadFile(out)
}

// goTool is the go command: the one on PATH, else the toolchain this
// program was built with.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// programName is the last element of pkg, or of dir when pkg is ".".
func programName(dir, pkg string) string {
	name := filepath.Base(strings.TrimRight(pkg, "/"))
	if name == "." {
		if abs, err := filepath.Abs(dir); err == nil {
			name = filepath.Base(abs)
		}
	}
	if name == "." || name == "/" || name == "" {
		return "app"
	}
	return name
}
