package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// runcPackage and cniPlugins are built from the versions pinned in go.mod
// (they are its tool entries).
const runcPackage = "github.com/opencontainers/runc"

var cniPlugins = []string{
	"github.com/containernetworking/plugins/plugins/main/bridge",
	"github.com/containernetworking/plugins/plugins/ipam/host-local",
	"github.com/containernetworking/plugins/plugins/main/loopback",
	"github.com/containernetworking/plugins/plugins/meta/portmap",
	// containerd's runc shim, one process per pod: a small binary of its
	// own rather than hanok re-executed, so each pod costs a few MB of
	// memory and starts without initialising the whole control plane.
	"github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2",
}

// runcTags are runc's build tags: seccomp support, and pure-Go network and
// user lookups so the static link needs no glibc NSS.
const runcTags = "seccomp netgo osusergo"

// sourceDirs hold the code whose change must rebuild the assets.
var sourceDirs = []string{
	"internal/bundle/pause",
	"internal/bundle/manifest",
	"internal/bundle/mkbundle",
	"internal/imagebuild",
}

// inputsKey digests everything the assets depend on.
func inputsKey(ctx context.Context) (string, error) {
	h := sha256.New()
	env, err := output(ctx, nil, "go", "env", "GOVERSION", "GOOS", "GOARCH", "CC")
	if err != nil {
		return "", err
	}
	fmt.Fprintf(h, "env %s\n", env)

	// The exact modules (and their go.sum hashes) of every package linked
	// into the binaries: a bump elsewhere in go.mod changes nothing here.
	args := append([]string{"list", "-deps", "-tags", runcTags,
		"-f", "{{with .Module}}{{.Path}}@{{.Version}} {{.Sum}}{{end}}", runcPackage}, cniPlugins...)
	mods, err := output(ctx, []string{"CGO_ENABLED=1"}, "go", args...)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(h, "modules %s\n", uniqueLines(mods))

	if lib, err := libseccomp(ctx); err == nil {
		if err := hashFile(h, lib); err != nil {
			return "", err
		}
	} else {
		fmt.Fprintf(h, "libseccomp missing\n")
	}

	files := []string{"scripts/build-bundle.sh"}
	for _, dir := range sourceDirs {
		matches, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			return "", err
		}
		for _, m := range matches {
			if !strings.HasSuffix(m, "_test.go") {
				files = append(files, m)
			}
		}
	}
	sort.Strings(files)
	for _, f := range files {
		fmt.Fprintf(h, "file %s\n", f)
		if err := hashFile(h, f); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// libseccomp finds the static library runc links.
func libseccomp(ctx context.Context) (string, error) {
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "gcc"
	}
	out, err := output(ctx, nil, cc, "-print-file-name=libseccomp.a")
	if err != nil {
		return "", err
	}
	if !filepath.IsAbs(out) {
		return "", fmt.Errorf("libseccomp.a not found (apt-get install libseccomp-dev)")
	}
	return out, nil
}

func hashFile(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

func uniqueLines(s string) string {
	seen := map[string]bool{}
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !seen[l] {
			seen[l] = true
			lines = append(lines, l)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// output runs a command and returns its trimmed stdout.
func output(ctx context.Context, env []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}
