#!/usr/bin/env bash
# Registry benchmark: pull a ~50 MB, 5-layer gzip image from Debian's docker-registry on
# 127.0.0.1 with `swiftlet images pull` (fetch + verify + unpack each layer, the unpack
# following the download) into a fresh store, beside `skopeo copy` of the same image to an
# OCI directory (fetch + verify only). Target: the pull no slower than skopeo's copy.
# Run by scripts/bench.sh inside a private network + mount + PID namespace, with
# SWIFTLET_BIN_DIR set. SWIFTLET_BENCH_RUNS sets the number of timed runs (default 5).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."
if [ "${SWIFTLET_PRIVATE_NS:-}" != 1 ]; then
    echo "bench/registry: run me through scripts/bench.sh (or scripts/in-private-ns.sh)" >&2
    exit 1
fi
runs=${SWIFTLET_BENCH_RUNS:-5}
swiftlet="$SWIFTLET_BIN_DIR/swiftlet"
work="$(mktemp -d /tmp/swiftlet-bench-registry.XXXXXX)"
registry_pid=
cleanup() {
    if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

port=5099
cat >"$work/config.yml" <<YAML
version: 0.1
log: {level: error}
storage:
  filesystem: {rootdirectory: $work/storage}
http:
  addr: 127.0.0.1:$port
YAML
/usr/bin/docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done

# The image: 5 layers of 10 MB each (half random, half text) as an OCI layout.
layout="$work/layout"
mkdir -p "$layout/blobs/sha256"
layers="" diffids=""
for i in 1 2 3 4 5; do
    mkdir -p "$work/l$i/data"
    head -c 5M /dev/urandom >"$work/l$i/data/random$i"
    head -c 3840K /dev/urandom | base64 >"$work/l$i/data/text$i"
    tar -C "$work/l$i" -cf "$work/l$i.tar" data
    diffid=$(sha256sum "$work/l$i.tar" | cut -d' ' -f1)
    gzip -n -c "$work/l$i.tar" >"$work/l$i.tar.gz"
    digest=$(sha256sum "$work/l$i.tar.gz" | cut -d' ' -f1)
    mv "$work/l$i.tar.gz" "$layout/blobs/sha256/$digest"
    size=$(stat -c %s "$layout/blobs/sha256/$digest")
    layers+="${layers:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$digest\",\"size\":$size}"
    diffids+="${diffids:+,}\"sha256:$diffid\""
    rm -rf "$work/l$i" "$work/l$i.tar"
done
blob() { # file -> sha256 hex, moved into the layout
    local d; d=$(sha256sum "$1" | cut -d' ' -f1); mv "$1" "$layout/blobs/sha256/$d"; echo "$d"
}
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[%s]}}' "$diffids" >"$work/config.json"
config_size=$(stat -c %s "$work/config.json"); config=$(blob "$work/config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
    "$config" "$config_size" "$layers" >"$work/manifest.json"
manifest_size=$(stat -c %s "$work/manifest.json"); manifest=$(blob "$work/manifest.json")
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"1"}}]}' \
    "$manifest" "$manifest_size" >"$layout/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
skopeo copy -q "oci:$layout:1" "docker://127.0.0.1:$port/bench:1" --dest-tls-verify=false
total=$(du -cb "$layout"/blobs/sha256/* | tail -1 | cut -f1)

median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ms() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.3f\n", (e - s) * 1000 }'; }

pull_times=() skopeo_times=() unpack_times=()
for ((i = 0; i < runs; i++)); do
    rm -rf "$work/root" "$work/skopeo" "$work/rootfs"
    start=$EPOCHREALTIME
    "$swiftlet" images pull "127.0.0.1:$port/bench:1" --root "$work/root" >/dev/null
    end=$EPOCHREALTIME
    pull_times+=("$(ms "$start" "$end")")
    start=$EPOCHREALTIME
    skopeo copy -q "docker://127.0.0.1:$port/bench:1" "oci:$work/skopeo:1" --src-tls-verify=false
    end=$EPOCHREALTIME
    skopeo_times+=("$(ms "$start" "$end")")
    # The same work as the pull: skopeo's copy, then each layer unpacked by GNU tar.
    start=$EPOCHREALTIME
    skopeo copy -q "docker://127.0.0.1:$port/bench:1" "oci:$work/skopeo2:1" --src-tls-verify=false
    m=$(jq -r '.manifests[0].digest' "$work/skopeo2/index.json" | cut -d: -f2)
    for l in $(jq -r '.layers[].digest' "$work/skopeo2/blobs/sha256/$m" | cut -d: -f2); do
        mkdir -p "$work/rootfs/$l" && tar -xzf "$work/skopeo2/blobs/sha256/$l" -C "$work/rootfs/$l" --same-owner -p
    done
    end=$EPOCHREALTIME
    unpack_times+=("$(ms "$start" "$end")")
    rm -rf "$work/skopeo2"
done
printf 'image: 5 gzip layers, %s MB compressed\n' "$((total / 1000000))"
printf '%-52s %10s\n' "operation (median of $runs)" "ms"
printf '%-52s %10s\n' "swiftlet images pull (fetch + verify + unpack)" "$(printf '%s\n' "${pull_times[@]}" | median)"
printf '%-52s %10s\n' "skopeo copy to an OCI dir (fetch + verify)" "$(printf '%s\n' "${skopeo_times[@]}" | median)"
printf '%-52s %10s\n' "skopeo copy, then tar -xzf of each layer" "$(printf '%s\n' "${unpack_times[@]}" | median)"
