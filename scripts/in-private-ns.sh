#!/usr/bin/env bash
# Runs a command inside a private network, mount and PID namespace with only `lo` up,
# so nothing it does (links, routes, iptables rules, mounts) touches the machine's own
# namespaces, and every process it leaves behind dies with the namespace.
# Usage: scripts/in-private-ns.sh CMD [ARGS...]
set -euo pipefail
if [ "${SWIFTLET_PRIVATE_NS:-}" != 1 ]; then
    export SWIFTLET_PRIVATE_NS=1
    exec unshare --net --mount --pid --fork --propagation private --mount-proc -- "$0" "$@"
fi
ip link set lo up
# Containers' pivot_root needs the private root to stay private; a fresh /run keeps
# runtime state and pinned namespaces inside this namespace.
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/netns
# PID 1 of the namespace reaps orphans, as a real init does: a process whose parent died
# (a container whose monitor was killed) must not linger as a zombie once it ends.
exec catatonit -- "$@"
