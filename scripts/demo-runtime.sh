#!/usr/bin/env bash
# Swiftlet demo: builds the project, makes the busybox test image, and runs one container
# from its bundle with `swiftlet-runtime run`, showing that it is PID 1 of its own PID
# namespace, has its own hostname, is held to its memory and pids limits, and is isolated
# (only `lo`, Docker's capability set, no_new_privs).
# Everything runs inside scripts/in-private-ns.sh; the script removes what it creates.
# SWIFTLET_DEMO_RUNTIME=runc runs the same demo under another OCI runtime, for comparison.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

if [ "${1:-}" != --inside ]; then
    scripts/bootstrap.sh
    echo "==> swift build -c release" >&2
    swift build -c release --product swiftlet-runtime >/dev/null
    bin="$(swift build -c release --show-bin-path)/swiftlet-runtime"
    exec scripts/in-private-ns.sh "$0" --inside "${SWIFTLET_DEMO_RUNTIME:-$bin}"
fi

# ---- inside the private namespace from here on -----------------------------------------
RUNTIME=$2
ID=demo
CGROUP_PARENT=/swiftlet-demo
CGROUP="$CGROUP_PARENT/$ID"
MEMORY_LIMIT=$((64 * 1024 * 1024))
PIDS_LIMIT=16
WORK="$(mktemp -d /tmp/swiftlet-demo.XXXXXX)"
STATE="$WORK/state"

heading() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

cleanup() {
    "$RUNTIME" --root "$STATE" delete --force "$ID" >/dev/null 2>&1 || true
    local d
    for d in /sys/fs/cgroup/*"$CGROUP_PARENT" /sys/fs/cgroup"$CGROUP_PARENT"; do
        [ -d "$d" ] || continue
        [ -d "$d/$ID" ] && rmdir "$d/$ID" 2>/dev/null || true
        rmdir "$d" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

heading "Test image (busybox-static, built offline)"
scripts/make-test-image.sh "$WORK/image"
BUNDLE="$WORK/image/bundle"
mkdir -p "$WORK/sync"

# What the container runs. It waits until the host has shown its cgroup, then looks at
# itself from the inside.
cat >"$WORK/sync/inside.sh" <<'INSIDE'
while [ ! -e /tmp/sync/go ]; do sleep 0.05; done
heading() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

heading "Inside: processes (ps) - the container's shell is PID 1"
ps -o pid,user,args

heading "Inside: hostname"
hostname

heading "Inside: root filesystem (ls /) - only the image"
ls /
cat /www/index.html

heading "Inside: network (ip link) - only lo"
ip link

heading "Inside: /proc/self/status"
grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status

heading "Inside: privileged operations fail"
mount -t tmpfs none /tmp 2>&1 || echo "  -> mount refused (exit $?)"
ip link add dummy0 type dummy 2>&1 || echo "  -> creating a link refused (exit $?)"
hostname intruder 2>&1 || echo "  -> sethostname refused (exit $?)"

heading "Inside: pids limit - a subshell starts sleeps until fork fails"
# A failed fork ends busybox sh, so the subshell takes the hit. Its sleeps then belong to
# PID 1 (this shell), which kills them (kill -1: all but init) and reaps them with builtins.
( i=0; while [ $i -lt 30 ]; do sleep 30 & i=$((i + 1)); done ) 2>&1
set -- /proc/[0-9]*
echo "processes in the container at the limit: $# (the subshell that hit it has exited)"
kill -TERM -1
while :; do jobs >/dev/null; set -- /proc/[0-9]*; [ $# -le 1 ] && break; done

heading "Inside: memory limit - dd with a 128 MiB buffer"
sh -c 'exec dd if=/dev/zero of=/dev/null bs=128M count=1' 2>&1
echo "dd exit status: $? (137 = killed by SIGKILL: the OOM killer)"
INSIDE

jq --arg cg "$CGROUP" --arg sync "$WORK/sync" --argjson mem "$MEMORY_LIMIT" --argjson pids "$PIDS_LIMIT" '
    .process.args = ["sh", "/tmp/sync/inside.sh"]
    | .hostname = "swiftlet-demo"
    | .mounts += [{destination: "/tmp/sync", type: "bind", source: $sync, options: ["rbind", "rw"]}]
    | .linux.cgroupsPath = $cg
    | .linux.resources.memory = {limit: $mem, swap: $mem}
    | .linux.resources.pids = {limit: $pids}' "$BUNDLE/config.json" >"$BUNDLE/config.json.new"
mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"

# Docker's capability set and seccomp profile, from the runtime's `spec` when it has them.
if (cd "$WORK" && "$RUNTIME" spec >/dev/null 2>&1) && jq -e .linux.seccomp "$WORK/config.json" >/dev/null; then
    jq --slurpfile defaults "$WORK/config.json" '
        .process.capabilities = $defaults[0].process.capabilities
        | .linux.seccomp = $defaults[0].linux.seccomp' "$BUNDLE/config.json" >"$BUNDLE/config.json.new"
    mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
    echo "(capabilities and seccomp profile taken from \`$(basename "$RUNTIME") spec\`)"
fi

heading "config.json (edited from the bundle's runc-style default)"
jq -c '{args: .process.args, hostname, cgroupsPath: .linux.cgroupsPath,
        resources: .linux.resources | {memory, pids}, namespaces: [.linux.namespaces[].type],
        capabilities: .process.capabilities.effective, seccomp: (.linux.seccomp != null)}' \
    "$BUNDLE/config.json"

heading "$(basename "$RUNTIME") --root $STATE run --bundle $BUNDLE $ID"
"$RUNTIME" --root "$STATE" run --bundle "$BUNDLE" "$ID" &
run_pid=$!

# The host's view of the container's cgroup, once its init is in it.
if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
    procs=/sys/fs/cgroup$CGROUP/cgroup.procs
    mem_file=/sys/fs/cgroup$CGROUP/memory.max
    pids_file=/sys/fs/cgroup$CGROUP/pids.max
else
    procs=/sys/fs/cgroup/pids$CGROUP/cgroup.procs
    mem_file=/sys/fs/cgroup/memory$CGROUP/memory.limit_in_bytes
    pids_file=/sys/fs/cgroup/pids$CGROUP/pids.max
fi
for _ in $(seq 200); do
    [ -n "$(cat "$procs" 2>/dev/null)" ] && break
    kill -0 "$run_pid" 2>/dev/null || break
    sleep 0.05
done
heading "Host: the container's cgroup $CGROUP"
if [ -n "$(cat "$procs" 2>/dev/null)" ]; then
    echo "layout:        $( [ -e /sys/fs/cgroup/cgroup.controllers ] && echo v2 || { [ -d /sys/fs/cgroup/unified ] && echo hybrid || echo v1; })"
    echo "memory limit:  $(cat "$mem_file") bytes (asked: $MEMORY_LIMIT)"
    echo "pids limit:    $(cat "$pids_file") (asked: $PIDS_LIMIT)"
    echo "init process:  host PID $(head -1 "$procs"): $(tr '\0' ' ' </proc/"$(head -1 "$procs")"/cmdline)"
else
    echo "the container's init never appeared in $procs"
fi
touch "$WORK/sync/go"

status=0
wait "$run_pid" || status=$?
heading "Exit status of run: $status"

heading "After run: nothing left behind"
left=$(ls -d /sys/fs/cgroup/*"$CGROUP" /sys/fs/cgroup"$CGROUP" 2>/dev/null || true)
echo "cgroup $CGROUP: ${left:-removed in every hierarchy}"
echo "containers in state dir: $("$RUNTIME" --root "$STATE" list -q 2>/dev/null | wc -l)"
exit "$status"
