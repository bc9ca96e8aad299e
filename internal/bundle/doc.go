// Package bundle ships the node's helper binaries inside hanok and puts them
// on disk at start, so a fresh host needs nothing but the one binary.
//
// At build time `make` runs scripts/build-bundle.sh, which fills assets/ with
// runc (static, with seccomp), the CNI plugins bridge, host-local, loopback
// and portmap (each zstd-compressed), the pause image pause.tar (built from
// ./pause with package imagebuild) and manifest.json (package manifest). The
// folder is embedded with go:embed; a plain `go build` embeds only its README
// and Extract then says so.
//
// At start the agent calls Extract: the binaries go to
// <data-dir>/data/<content hash>/bin, with containerd-shim-runc-v2 linked to
// the running hanok (a multicall entry point), and <data-dir>/data/current is
// repointed at that folder with an atomic rename; layout.BinDir() is
// current/bin. A second start of the same build only checks and returns.
// PauseImageTar streams the pause image for import into containerd.
package bundle
