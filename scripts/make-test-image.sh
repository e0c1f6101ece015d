#!/usr/bin/env bash
# Builds, offline, from Debian's busybox-static (/bin/busybox):
#   OUTDIR/oci     an OCI image layout (tag "latest"), one gzip layer, deterministic digests
#   OUTDIR/bundle  an OCI runtime bundle: rootfs/ (the same tree) + a runc-spec-shaped config.json
# Re-running replaces OUTDIR/oci and OUTDIR/bundle.
# Usage: scripts/make-test-image.sh OUTDIR
set -euo pipefail
export LC_ALL=C

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
BUSYBOX=/bin/busybox
if [ ! -x "$BUSYBOX" ]; then
    echo "make-test-image: $BUSYBOX not found (install busybox-static: scripts/bootstrap.sh)" >&2
    exit 1
fi

mkdir -p "$1"
OUT="$(cd "$1" && pwd)"
STAGE="$(mktemp -d "$OUT/.stage.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT

# ---- the root filesystem -------------------------------------------------------------
ROOTFS="$STAGE/rootfs"
mkdir -p "$ROOTFS"/{bin,etc,tmp,www,proc,sys,dev,root}
install -m 0755 "$BUSYBOX" "$ROOTFS/bin/busybox"
for applet in $("$BUSYBOX" --list); do
    [ "$applet" = busybox ] && continue
    ln -s busybox "$ROOTFS/bin/$applet"
done
# SysV shared memory helper for the pod IPC tests (busybox has no ipcmk).
gcc -static -O2 -o "$ROOTFS/bin/shmtool" "$(dirname "$0")/test-image/shmtool.c"
strip "$ROOTFS/bin/shmtool"
# A UDP server and client for the Service tests (busybox's nc speaks TCP only).
gcc -static -O2 -o "$ROOTFS/bin/udptool" "$(dirname "$0")/test-image/udptool.c"
strip "$ROOTFS/bin/udptool"
chmod 1777 "$ROOTFS/tmp"
chmod 0700 "$ROOTFS/root"
cat >"$ROOTFS/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$ROOTFS/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
: >"$ROOTFS/etc/hosts"
: >"$ROOTFS/etc/resolv.conf"
cat >"$ROOTFS/www/index.html" <<'EOF'
<!DOCTYPE html>
<html><head><title>Swiftlet</title></head>
<body><h1>Hello from Swiftlet</h1></body></html>
EOF
chmod 0644 "$ROOTFS"/etc/{passwd,group,hosts,resolv.conf} "$ROOTFS/www/index.html"
chmod 0755 "$ROOTFS"/{bin,etc,www,proc,sys,dev}
chown -hR 0:0 "$ROOTFS"
find "$ROOTFS" -exec touch -h -d @0 {} +

# ---- the OCI image layout ------------------------------------------------------------
OCI="$STAGE/oci"
BLOBS="$OCI/blobs/sha256"
mkdir -p "$BLOBS"

# Entries sorted, no "./" prefix, fixed owner and mtime: the same bytes on every run.
(cd "$ROOTFS" && find . -mindepth 1 | sed 's|^\./||' | sort) >"$STAGE/layer.list"
tar -C "$ROOTFS" --no-recursion -T "$STAGE/layer.list" \
    --format=gnu --owner=0 --group=0 --numeric-owner --mtime=@0 \
    -cf "$STAGE/layer.tar"
diff_id="sha256:$(sha256sum "$STAGE/layer.tar" | cut -d' ' -f1)"
gzip -n -9 -c "$STAGE/layer.tar" >"$STAGE/layer.tar.gz"

# Moves a file into blobs/sha256 under its digest; prints "sha256:<hex> <size>".
add_blob() {
    local hex size
    hex="$(sha256sum "$1" | cut -d' ' -f1)"
    size="$(stat -c %s "$1")"
    mv "$1" "$BLOBS/$hex"
    echo "sha256:$hex $size"
}

read -r layer_digest layer_size < <(add_blob "$STAGE/layer.tar.gz")

jq -cn --arg diff "$diff_id" '{
    created: "1970-01-01T00:00:00Z",
    architecture: "amd64",
    os: "linux",
    config: {
        Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        Cmd: ["sh"],
        WorkingDir: "/"
    },
    rootfs: {type: "layers", diff_ids: [$diff]},
    history: [{created: "1970-01-01T00:00:00Z", created_by: "scripts/make-test-image.sh (busybox-static)"}]
}' >"$STAGE/config.json"
read -r config_digest config_size < <(add_blob "$STAGE/config.json")

jq -cn --arg cd "$config_digest" --argjson cs "$config_size" \
    --arg ld "$layer_digest" --argjson ls "$layer_size" '{
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
    layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $ld, size: $ls}]
}' >"$STAGE/manifest.json"
read -r manifest_digest manifest_size < <(add_blob "$STAGE/manifest.json")

jq -cn --arg md "$manifest_digest" --argjson ms "$manifest_size" '{
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: $md,
        size: $ms,
        platform: {architecture: "amd64", os: "linux"},
        annotations: {"org.opencontainers.image.ref.name": "latest"}
    }]
}' >"$OCI/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$OCI/oci-layout"

# ---- the runtime bundle (shaped like `runc spec`, non-interactive) ---------------------
BUNDLE="$STAGE/bundle"
mkdir -p "$BUNDLE"
cp -a "$ROOTFS" "$BUNDLE/rootfs"
jq -n '
def caps: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];
{
    ociVersion: "1.0.2-dev",
    process: {
        terminal: false,
        user: {uid: 0, gid: 0},
        args: ["sh"],
        env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
        cwd: "/",
        capabilities: {bounding: caps, effective: caps, permitted: caps, ambient: caps},
        rlimits: [{type: "RLIMIT_NOFILE", hard: 1024, soft: 1024}],
        noNewPrivileges: true
    },
    root: {path: "rootfs", readonly: true},
    hostname: "swiftlet",
    mounts: [
        {destination: "/proc", type: "proc", source: "proc"},
        {destination: "/dev", type: "tmpfs", source: "tmpfs",
         options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {destination: "/dev/pts", type: "devpts", source: "devpts",
         options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
        {destination: "/dev/shm", type: "tmpfs", source: "shm",
         options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
        {destination: "/dev/mqueue", type: "mqueue", source: "mqueue",
         options: ["nosuid", "noexec", "nodev"]},
        {destination: "/sys", type: "sysfs", source: "sysfs",
         options: ["nosuid", "noexec", "nodev", "ro"]}
    ],
    linux: {
        resources: {devices: [{allow: false, access: "rwm"}]},
        namespaces: [{type: "pid"}, {type: "network"}, {type: "ipc"}, {type: "uts"},
                     {type: "mount"}, {type: "cgroup"}],
        maskedPaths: ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                      "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
        readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
    }
}' >"$BUNDLE/config.json"

# ---- replace the previous output -------------------------------------------------------
rm -rf "$OUT/oci" "$OUT/bundle"
mv "$OCI" "$OUT/oci"
mv "$BUNDLE" "$OUT/bundle"
echo "make-test-image: $OUT/oci (latest = $manifest_digest) and $OUT/bundle" >&2
