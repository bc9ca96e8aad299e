// Command mkbundle fills internal/bundle/assets with what hanok ships inside
// itself: runc (static, with seccomp), containerd's runc shim, the CNI plugins bridge, host-local,
// loopback and portmap (zstd-compressed), the pause image built from
// internal/bundle/pause, and manifest.json.
//
// It is run by scripts/build-bundle.sh from the module's root. It first
// computes a key of its inputs (Go toolchain, the exact module versions the
// binaries are built from, libseccomp, and the sources of the pause program,
// the image builder and itself); when the manifest already records that key
// and every asset is present, it changes nothing.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	out := flag.String("out", "internal/bundle/assets", "assets folder to fill")
	force := flag.Bool("force", false, "rebuild even when the inputs are unchanged")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := mkbundle(ctx, *out, *force); err != nil {
		fmt.Fprintln(os.Stderr, "mkbundle:", err)
		os.Exit(1)
	}
}

func mkbundle(ctx context.Context, out string, force bool) error {
	if _, err := os.Stat("go.mod"); err != nil {
		return fmt.Errorf("run me from the module's root: %w", err)
	}
	start := time.Now()
	key, err := inputsKey(ctx)
	if err != nil {
		return fmt.Errorf("inputs: %w", err)
	}
	if !force && upToDate(out, key) {
		fmt.Printf("bundle: up to date (%s)\n", key[:12])
		return nil
	}
	fmt.Printf("bundle: building into %s\n", out)
	if err := build(ctx, out, key); err != nil {
		return err
	}
	fmt.Printf("bundle: built in %s\n", time.Since(start).Round(100*time.Millisecond))
	return nil
}
