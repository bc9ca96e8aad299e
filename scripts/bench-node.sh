#!/usr/bin/env bash
# Times pod start-up and measures the memory and CPU of a single-node hanok
# (server, agent, containerd, shims) in a network namespace of its own.
# Needs root. The figures come from test/bench/pods, which takes any
# kubeconfig, so the same tool times other clusters.
#
#   scripts/bench-node.sh [extra test/bench/pods flags]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${HANOK_BIN:-bin/hanok}")
NS="hanok-bench-$$"
NODE="bench$$"
DIR=$(mktemp -d /tmp/hanok-bench-node.XXXXXX)
DATA="$DIR/data"
RUNDIR="/run/hanok/$(printf %s "$DATA" | sha256sum | cut -c1-8)"
PID=""

cleanup() {
  set +e
  if [ -n "$PID" ]; then
    for id in $("$BIN" crictl --runtime-endpoint "unix://$RUNDIR/containerd/containerd.sock" pods -q 2>/dev/null); do
      "$BIN" crictl --runtime-endpoint "unix://$RUNDIR/containerd/containerd.sock" stopp "$id" >/dev/null 2>&1
      "$BIN" crictl --runtime-endpoint "unix://$RUNDIR/containerd/containerd.sock" rmp "$id" >/dev/null 2>&1
    done
    kill -TERM "$PID" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$PID" 2>/dev/null
  fi
  # Processes this run's hanok started: containers in the node's cgroup,
  # shims serving its socket.
  for f in /proc/[0-9]*/cgroup; do
    p=${f#/proc/}; p=${p%/cgroup}
    if grep -q "/hanok/$NODE/" "$f" 2>/dev/null || grep -qa "$RUNDIR" "/proc/$p/cmdline" 2>/dev/null; then
      kill -KILL "$p" 2>/dev/null
    fi
  done
  sleep 0.5
  awk -v d="$DIR" -v r="$RUNDIR" 'index($5, d"/")==1 || index($5, r"/")==1 {print $5}' /proc/self/mountinfo |
    sort -r | xargs -r -n1 umount -l 2>/dev/null
  for m in /sys/fs/cgroup/*/hanok/"$NODE" /sys/fs/cgroup/hanok/"$NODE"; do
    [ -d "$m" ] && find "$m" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  ip netns del "$NS" 2>/dev/null
  ip link del hkb$$ 2>/dev/null
  rm -rf "$DIR" "$RUNDIR"
}
trap cleanup EXIT

ip netns add "$NS"
ip link add "hkb$$" type veth peer name eth0 netns "$NS"
ip addr add 10.251.7.1/30 dev "hkb$$"
ip link set "hkb$$" up
ip -n "$NS" addr add 10.251.7.2/30 dev eth0
ip -n "$NS" link set eth0 up
ip -n "$NS" link set lo up
printf 'nameserver 127.0.0.53\n' > "$DIR/resolv.conf"
: > "$DIR/config.yaml"

start=$(date +%s.%N)
nsenter --net="/var/run/netns/$NS" "$BIN" server --config "$DIR/config.yaml" --data-dir "$DATA" \
  --write-kubeconfig "$DIR/kubeconfig" --node-ip 10.251.7.2 --node-name "$NODE" \
  --private-registry "$DIR/registries.yaml" --resolv-conf "$DIR/resolv.conf" >"$DIR/hanok.log" 2>&1 &
PID=$!
for _ in $(seq 300); do
  [ -f "$DIR/kubeconfig" ] && break
  sleep 0.1
done
sed -i 's#https://127.0.0.1:6443#https://10.251.7.2:6443#' "$DIR/kubeconfig"
export KUBECONFIG="$DIR/kubeconfig"
until [ "$(kubectl get node "$NODE" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]; do
  sleep 0.2
done
awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "node Ready %.2f s after exec\n", e-s}'

go run ./test/bench/pods --kubeconfig "$KUBECONFIG" --image ghcr.io/hanok-dev/pause:3.10 \
  --proc-match "$DATA,$RUNDIR,/hanok/$NODE/" --idle-pods 100 "$@"
