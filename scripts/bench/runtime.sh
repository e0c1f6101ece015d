#!/usr/bin/env bash
# Runtime benchmark: wall time of `RUNTIME run` of /bin/true (create + start + wait + delete)
# on one busybox bundle, for swiftlet-runtime, crun and runc side by side.
# Run by scripts/bench.sh inside a private network + mount + PID namespace, with
# SWIFTLET_BIN_DIR set. SWIFTLET_BENCH_RUNS sets the number of timed runs (default 50).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."

# Internal: time N runs and print one duration in ms per line.
#   measure NAME BINARY STATE_ROOT BUNDLE ID N
measure() {
    local name=$1 bin=$2 root=$3 bundle=$4 id=$5 n=$6 i start end
    # Warm caches (page cache, dentries) so the first timed run is not an outlier.
    for i in 1 2 3; do
        "$bin" --root "$root" run --bundle "$bundle" "$id" </dev/null >/dev/null
    done
    for ((i = 0; i < n; i++)); do
        start=$EPOCHREALTIME
        "$bin" --root "$root" run --bundle "$bundle" "$id" </dev/null >/dev/null
        end=$EPOCHREALTIME
        echo "$start $end" | awk '{ printf "%.3f\n", ($2 - $1) * 1000 }'
    done
}
if [ "${1:-}" = --measure ]; then
    shift
    measure "$@"
    exit
fi
if [ "${1:-}" = --measure-without-cgroup2 ]; then
    # crun 1.8 refuses a hybrid layout: hide the cgroup2 mount, in this nested mount
    # namespace only.
    shift
    if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
    measure "$@"
    exit
fi

if [ "${SWIFTLET_PRIVATE_NS:-}" != 1 ]; then
    echo "bench/runtime: run me through scripts/bench.sh (or scripts/in-private-ns.sh)" >&2
    exit 1
fi
RUNS=${SWIFTLET_BENCH_RUNS:-50}
BIN_DIR=${SWIFTLET_BIN_DIR:-$PWD/.build/release}
SWIFTLET_RUNTIME="$BIN_DIR/swiftlet-runtime"

# Peers: scripts/bootstrap.sh installs them (this namespace has no route to the mirror);
# try apt here only if they are still missing.
if ! command -v crun >/dev/null || ! command -v runc >/dev/null; then
    echo "bench/runtime: installing crun and runc" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq crun runc >/dev/null ||
        echo "bench/runtime: could not install crun/runc (run scripts/bootstrap.sh first)" >&2
fi

WORK="$(mktemp -d /tmp/swiftlet-bench.XXXXXX)"
CGROUP_PARENT=/swiftlet-bench
cleanup() {
    local d
    for d in /sys/fs/cgroup/*"$CGROUP_PARENT" /sys/fs/cgroup"$CGROUP_PARENT"; do
        [ -d "$d" ] || continue
        find "$d" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true
        rmdir "$d" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

scripts/make-test-image.sh "$WORK/image" 2>/dev/null
ROOTFS="$WORK/image/bundle/rootfs"

# One bundle per runtime: same rootfs, its own cgroup below /swiftlet-bench.
bundle_for() {
    local id=$1 dir="$WORK/bundle-$1"
    mkdir -p "$dir" "$WORK/state-$id"
    jq --arg rootfs "$ROOTFS" --arg cg "$CGROUP_PARENT/$id" '
        .process.args = ["/bin/true"]
        | .root.path = $rootfs
        | .linux.cgroupsPath = $cg' "$WORK/image/bundle/config.json" >"$dir/config.json"
    echo "$dir"
}

# Prints "name median min max" (ms) or "name error message".
bench_one() {
    local name=$1 bin=$2 mode=$3 id bundle times err
    id="bench-$name"
    if [ ! -x "$bin" ] && ! command -v "$bin" >/dev/null; then
        echo "$name not found: $bin"
        return
    fi
    bundle="$(bundle_for "$id")"
    err="$WORK/$id.err"
    if [ "$mode" = hide-cgroup2 ]; then
        times=$(unshare --mount --propagation private bash "$0" --measure-without-cgroup2 \
            "$name" "$bin" "$WORK/state-$id" "$bundle" "$id" "$RUNS" 2>"$err") || true
    else
        times=$(bash "$0" --measure "$name" "$bin" "$WORK/state-$id" "$bundle" "$id" "$RUNS" 2>"$err") || true
    fi
    if [ "$(printf '%s\n' "$times" | grep -c .)" -ne "$RUNS" ]; then
        echo "$name failed: $(head -c 200 "$err" | head -1)"
        return
    fi
    printf '%s\n' "$times" | sort -n | awk -v name="$name" '
        { v[NR] = $1 }
        END {
            median = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%s %.2f %.2f %.2f\n", name, median, v[1], v[NR]
        }'
}

results=()
results+=("$(bench_one swiftlet-runtime "$SWIFTLET_RUNTIME" plain)")
results+=("$(bench_one crun crun hide-cgroup2)")
results+=("$(bench_one runc runc plain)")

echo "run of /bin/true (create + start + wait + delete), $RUNS runs each, ms"
printf '%-18s %10s %8s %8s\n' runtime median min max
for line in "${results[@]}"; do
    set -- $line
    if [ $# -eq 4 ] && [[ $2 =~ ^[0-9.]+$ ]]; then
        printf '%-18s %10s %8s %8s\n' "$1" "$2" "$3" "$4"
    else
        printf '%-18s %s\n' "$1" "${line#"$1" }"
    fi
done
