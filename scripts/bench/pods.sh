#!/usr/bin/env bash
# Pod benchmark: the time from a manifest appearing in the agent's watched directory to its
# pod answering HTTP (busybox httpd from the test image), for 1 pod and for 30 pods (one
# file each, all moved in at once), beside the same pods through `podman kube play`; and
# the agent's RSS with 30 pods running.
# Run by scripts/bench.sh inside a private network + mount + PID namespace, with
# SWIFTLET_BIN_DIR set. SWIFTLET_BENCH_RUNS sets the runs per case (default 5; 30 pods: 3).
#
# A pod's address is read from its IPAM's host-local data dir (one file per reserved
# address, for swiftlet and podman's CNI alike), then curl polls every pending address every
# few ms; a case ends when N distinct addresses have answered 200.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."

TARGET_ONE=0.2 TARGET_MANY=3 TARGET_RSS_MB=50 MANY=30

# ---- shared helpers -------------------------------------------------------------------

# Writes a pod manifest running busybox httpd on 8080 (no ports: podman would publish them).
#   pod_manifest NAME
pod_manifest() {
    cat <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $1
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: httpd
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
EOF
}

# Polls until N distinct addresses reserved in DATADIR answer HTTP 200; prints the seconds
# since START (an $EPOCHREALTIME), or "timeout" after 60 s (10 s after PID, when given,
# has exited: `podman kube play` returns once its pods have started, or failed).
#   wait_answering N DATADIR START [PID]
wait_answering() {
    local n=$1 dir=$2 start=$3 pid=${4:-} limit=60 f ip code url args now
    local -A ok=()
    while :; do
        args=()
        for f in "$dir"/*; do
            ip=${f##*/}
            [[ $ip =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || continue
            [ -n "${ok[$ip]:-}" ] || args+=(-o /dev/null "http://$ip:8080/")
        done
        if [ ${#args[@]} -gt 0 ]; then
            while read -r code url; do
                if [ "$code" = 200 ]; then
                    url=${url#http://}
                    ok[${url%%:*}]=1
                fi
            done < <(curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max 64 -m 0.1 \
                -w '%{http_code} %{url_effective}\n' "${args[@]}" 2>/dev/null || true)
        fi
        now=$EPOCHREALTIME
        if [ ${#ok[@]} -ge "$n" ]; then
            awk -v s="$start" -v e="$now" 'BEGIN { printf "%.3f\n", e - s }'
            return
        fi
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            limit=$(awk -v s="$start" -v e="$now" 'BEGIN { printf "%.3f", e - s + 10 }')
            pid=
        fi
        if awk -v s="$start" -v e="$now" -v l="$limit" 'BEGIN { exit !(e - s > l) }'; then
            echo timeout
            return
        fi
        sleep 0.005
    done
}

# Waits until DATADIR holds no reserved address (the previous run's pods are gone).
wait_released() {
    local dir=$1 i f
    for ((i = 0; i < 600; i++)); do
        local any=0
        for f in "$dir"/*; do [[ ${f##*/} =~ ^[0-9.]+$ ]] && any=1 && break; done
        [ $any = 0 ] && return
        sleep 0.1
    done
    echo "bench/pods: addresses in $dir still reserved after 60 s" >&2
}

# Prints the median of the numbers on stdin, or the first non-number.
median() {
    sort -n | awk '!/^[0-9.]+$/ { bad = $0 } { a[NR] = $1 } END {
        if (bad != "") { print bad; exit }
        printf "%.3f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# ---- podman, in a nested mount namespace ------------------------------------------------

# Runs `podman kube play` for 1 pod and for MANY pods, RUNS (RUNS_MANY) times each; prints
# "one SECONDS..." and "many SECONDS..." lines, or "error REASON".
#   podman_series WORK RUNS RUNS_MANY
podman_series() {
    local work=$1 runs=$2 runs_many=$3 p=$1/podman i run t start line
    # crun 1.8 refuses a hybrid cgroup layout: hide the cgroup2 mount, in this mount ns only.
    if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
    mkdir -p "$p"/{root,runroot,tmp,cni-conf,cni-data,manifests}
    # host-local keeps its reservations under /var/lib/cni: keep them in the work dir.
    mkdir -p /var/lib/cni
    mount --bind "$p/cni-data" /var/lib/cni
    cat >"$p/containers.conf" <<EOF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "crun"
tmp_dir = "$p/tmp"
[network]
network_backend = "cni"
network_config_dir = "$p/cni-conf"
EOF
    : >"$p/registries.conf"
    export CONTAINERS_CONF="$p/containers.conf" CONTAINERS_REGISTRIES_CONF="$p/registries.conf"
    pm() { podman --root "$p/root" --runroot "$p/runroot" --storage-driver overlay "$@"; }
    # podman names an OCI layout after its path, which must be lowercase: load a copy from
    # the private /run (in-private-ns.sh's tmpfs).
    rm -rf /run/swiftlet-bench-oci && cp -r "$work/image/oci" /run/swiftlet-bench-oci
    if ! pm pull -q oci:/run/swiftlet-bench-oci:latest >"$p/image-id" 2>"$p/err" ||
        ! pm tag "$(cat "$p/image-id")" localhost/busybox:latest 2>"$p/err"; then
        echo "error podman could not load the test image: $(head -1 "$p/err")"
        return
    fi
    local data="$p/cni-data/networks/podman"
    # One case: play FILE, wait for N answers, remove the pods. Prints seconds or "error ...".
    play() {
        local file=$1 n=$2 start t pid
        start=$EPOCHREALTIME
        pm kube play --network podman "$file" >/dev/null 2>"$p/err" &
        pid=$!
        t=$(wait_answering "$n" "$data" "$start" "$pid")
        if ! wait "$pid"; then t="error podman kube play: $(grep -v '^$' "$p/err" | tail -1)"; fi
        pm pod rm -a -f -t 0 >/dev/null 2>&1 || true
        wait_released "$data"
        echo "$t"
    }
    for_case() {
        local n=$1 count=$2 label=$3 out=() file
        for ((run = 0; run <= count; run++)); do
            file="$p/manifests/$label-$run.yaml"
            for ((i = 0; i < n; i++)); do
                pod_manifest "bench-$label-$run-$i"
                echo ---
            done >"$file"
            t=$(play "$file" "$n")
            if [[ $t == error* || $t == timeout ]]; then
                echo "error ${t#error }"
                return
            fi
            # Run 0 warms caches and podman's first-use setup; it is not counted.
            [ "$run" -gt 0 ] && out+=("$t")
        done
        echo "$label ${out[*]}"
    }
    for_case 1 "$runs" one
    for_case "$MANY" "$runs_many" many
    pm rmi -a -f >/dev/null 2>&1 || true
    rm -rf /run/swiftlet-bench-oci
    umount /var/lib/cni
}
if [ "${1:-}" = --podman ]; then
    shift
    podman_series "$@"
    exit
fi

# ---- swiftlet ---------------------------------------------------------------------------

if [ "${SWIFTLET_PRIVATE_NS:-}" != 1 ]; then
    echo "bench/pods: run me through scripts/bench.sh (or scripts/in-private-ns.sh)" >&2
    exit 1
fi
RUNS=${SWIFTLET_BENCH_RUNS:-5}
RUNS_MANY=$((RUNS < 3 ? RUNS : 3))
BIN_DIR=${SWIFTLET_BIN_DIR:-$PWD/.build/release}
WORK="$(mktemp -d /tmp/swiftlet-bench-pods.XXXXXX)"
ROOT="$WORK/root"
MANIFESTS="$WORK/manifests"
CGROUP_PARENT="/swiftlet-bench-pods-$$"
AGENT=
LIBPOD_PARENT_EXISTED=()
for d in /sys/fs/cgroup/*/libpod_parent; do [ -d "$d" ] && LIBPOD_PARENT_EXISTED+=("$d"); done
swiftlet() { "$BIN_DIR/swiftlet" "$@"; }

remove_cgroups() {
    local d
    [ -d "$1" ] || return 0
    find "$1" -depth -type d -exec rmdir {} + 2>/dev/null || true
}
cleanup() {
    if [ -n "$AGENT" ]; then kill "$AGENT" 2>/dev/null || true; wait "$AGENT" 2>/dev/null || true; fi
    swiftlet reset --root "$ROOT" >/dev/null 2>&1 || true
    swiftlet proxy --cleanup >/dev/null 2>&1 || true
    ip link del swiftlet0 2>/dev/null || true
    local d
    for d in /sys/fs/cgroup/*"$CGROUP_PARENT" /sys/fs/cgroup"$CGROUP_PARENT"; do remove_cgroups "$d"; done
    # podman's cgroupfs parent, when this run created it.
    for d in /sys/fs/cgroup/*/libpod_parent; do
        [[ " ${LIBPOD_PARENT_EXISTED[*]} " == *" $d "* ]] || remove_cgroups "$d"
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

scripts/make-test-image.sh "$WORK/image" >/dev/null 2>&1
swiftlet images import "$WORK/image/oci" --name busybox --root "$ROOT" >/dev/null
mkdir -p "$MANIFESTS" "$WORK/staging"
# Started directly (not through the function) so that $AGENT is the agent's own PID.
"$BIN_DIR/swiftlet" run --manifests "$MANIFESTS" --root "$ROOT" --run-dir "$WORK/run" --log-dir "$WORK/logs" \
    --cni-conf-dir "$WORK/cni" --cgroup-parent "$CGROUP_PARENT" --node-name bench >"$WORK/agent.log" 2>&1 &
AGENT=$!
DATA="$ROOT/cni/networks/swiftlet"
mkdir -p "$DATA"

# One run of N pods: move N manifests in at once, wait for N answers (sets T), read the
# agent's RSS with the pods up (sets RSS), remove them.
#   swiftlet_case N LABEL RUN
swiftlet_case() {
    local n=$1 label=$2 run=$3 i start
    rm -rf "$WORK/staging" && mkdir -p "$WORK/staging"
    for ((i = 0; i < n; i++)); do pod_manifest "bench-$label-$run-$i" >"$WORK/staging/bench-$label-$run-$i.yaml"; done
    start=$EPOCHREALTIME
    mv "$WORK/staging"/*.yaml "$MANIFESTS"/
    T=$(wait_answering "$n" "$DATA" "$start")
    RSS=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$AGENT/status")
    rm -f "$MANIFESTS"/*.yaml
    wait_released "$DATA"
}
# Median seconds of COUNT runs of N pods; run 0 warms caches and is not counted.
#   swiftlet_series N COUNT LABEL
swiftlet_series() {
    local n=$1 count=$2 label=$3 run times=()
    for ((run = 0; run <= count; run++)); do
        swiftlet_case "$n" "$label" "$run"
        [ "$run" -gt 0 ] && times+=("$T")
    done
    printf '%s\n' "${times[@]}" | median
}
T= RSS=
ONE=$(swiftlet_series 1 "$RUNS" one)
# Not in a subshell: RSS stays the one read with the last run's pods up.
swiftlet_series "$MANY" "$RUNS_MANY" many >"$WORK/many"
MANY_MEDIAN=$(cat "$WORK/many")
# After the pods are gone: what the agent keeps.
RSS_AFTER=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$AGENT/status")
kill "$AGENT" 2>/dev/null || true
wait "$AGENT" 2>/dev/null || true
AGENT=
swiftlet reset --root "$ROOT" >/dev/null 2>&1 || true
swiftlet proxy --cleanup >/dev/null 2>&1 || true
ip link del swiftlet0 2>/dev/null || true

# ---- podman -----------------------------------------------------------------------------
P_ONE="n/a" P_MANY="n/a" P_NOTE=
if ! command -v podman >/dev/null; then
    P_NOTE="podman not installed (run scripts/bootstrap.sh)"
else
    while read -r label rest; do
        case $label in
        one) P_ONE=$(printf '%s\n' $rest | median) ;;
        many) P_MANY=$(printf '%s\n' $rest | median) ;;
        error) P_NOTE=$rest ;;
        esac
    done < <(unshare --mount --propagation private bash "$0" --podman "$WORK" "$RUNS" "$RUNS_MANY" 2>"$WORK/podman.err" ||
        echo "error $(head -1 "$WORK/podman.err")")
fi

verdict() { awk -v v="$1" -v t="$2" 'BEGIN { if (v !~ /^[0-9.]+$/) print "-"; else print (v + 0 < t + 0) ? "met" : "MISSED" }'; }
echo "manifest appearing -> pod answering HTTP (median; 1 pod: $RUNS runs, $MANY pods: $RUNS_MANY runs)"
printf '%-26s %12s %14s %10s %8s\n' case swiftlet "podman kube" target verdict
printf '%-26s %12s %14s %10s %8s\n' "1 pod answers (s)" "$ONE" "$P_ONE" "< $TARGET_ONE" "$(verdict "$ONE" $TARGET_ONE)"
printf '%-26s %12s %14s %10s %8s\n' "$MANY pods all answer (s)" "$MANY_MEDIAN" "$P_MANY" "< $TARGET_MANY" "$(verdict "$MANY_MEDIAN" $TARGET_MANY)"
printf '%-26s %12s %14s %10s %8s\n' "agent RSS, $MANY pods (MB)" "${RSS:-n/a}" "-" "< $TARGET_RSS_MB" "$(verdict "${RSS:-x}" $TARGET_RSS_MB)"
printf '%-26s %12s %14s %10s %8s\n' "agent RSS, pods gone (MB)" "${RSS_AFTER:-n/a}" "-" "" ""
[ -z "$P_NOTE" ] || echo "podman: n/a: $P_NOTE"
