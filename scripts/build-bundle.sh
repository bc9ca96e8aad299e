#!/usr/bin/env bash
# Builds what hanok ships inside itself into internal/bundle/assets: runc
# (static, seccomp), the CNI plugins bridge/host-local/loopback/portmap, and
# the pause image. Run by `make` before `go build`. Unchanged inputs (module
# versions, toolchain, libseccomp, the pause and builder sources) skip the
# build; --force rebuilds anyway.
#
# Needs gcc, libc6-dev and libseccomp-dev (Debian) for runc's static link.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
CC=${CC:-gcc}
out=internal/bundle/assets

command -v "$CC" >/dev/null 2>&1 || {
  echo "build-bundle: $CC not found; runc needs a C toolchain (apt-get install gcc libc6-dev libseccomp-dev)" >&2
  exit 1
}
case "$("$CC" -print-file-name=libseccomp.a)" in
  /*) ;;
  *)
    echo "build-bundle: libseccomp.a not found; runc links it statically (apt-get install libseccomp-dev)" >&2
    exit 1
    ;;
esac

"$GO" run ./internal/bundle/mkbundle -out "$out" "$@"
# make compares this file's time with the inputs': touch it even when nothing
# had to be rebuilt.
touch "$out/manifest.json"
