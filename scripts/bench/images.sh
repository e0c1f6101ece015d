#!/usr/bin/env bash
# Image benchmark: `swiftlet images import` of the busybox test image (OCI layout, one gzip
# layer: copy + verify blobs, unpack the layer) into a fresh store, beside GNU tar
# extracting the same layer blob.
# Run by scripts/bench.sh inside a private network + mount + PID namespace, with
# SWIFTLET_BIN_DIR set. SWIFTLET_BENCH_RUNS sets the number of timed runs (default 20).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."
if [ "${SWIFTLET_PRIVATE_NS:-}" != 1 ]; then
    echo "bench/images: run me through scripts/bench.sh (or scripts/in-private-ns.sh)" >&2
    exit 1
fi
runs=${SWIFTLET_BENCH_RUNS:-20}
swiftlet="$SWIFTLET_BIN_DIR/swiftlet"
work="$(mktemp -d /tmp/swiftlet-bench-images.XXXXXX)"
trap 'rm -rf "$work"' EXIT
scripts/make-test-image.sh "$work/img" 2>/dev/null
layout="$work/img/oci"
manifest="$(jq -r '.manifests[0].digest' "$layout/index.json" | cut -d: -f2)"
layer="$layout/blobs/sha256/$(jq -r '.layers[0].digest' "$layout/blobs/sha256/$manifest" | cut -d: -f2)"

# Prints the median of the milliseconds on stdin.
median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ms() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.3f\n", (e - s) * 1000 }'; }

import_times=() tar_times=()
for ((i = 0; i < runs; i++)); do
    rm -rf "$work/root" "$work/tar" && mkdir -p "$work/tar"
    start=$EPOCHREALTIME
    "$swiftlet" images import "$layout" --name busybox --root "$work/root" >/dev/null
    end=$EPOCHREALTIME
    import_times+=("$(ms "$start" "$end")")
    start=$EPOCHREALTIME
    tar -xzf "$layer" -C "$work/tar" --same-owner -p
    end=$EPOCHREALTIME
    tar_times+=("$(ms "$start" "$end")")
done
printf '%-44s %10s\n' "operation (median of $runs)" "ms"
printf '%-44s %10s\n' "swiftlet images import (verify + unpack)" "$(printf '%s\n' "${import_times[@]}" | median)"
printf '%-44s %10s\n' "GNU tar -xzf of the same layer" "$(printf '%s\n' "${tar_times[@]}" | median)"
