#!/usr/bin/env bash
# Kubernetes API benchmark: `kubectl get pods` with 100 pods as a whole process beside
# `swiftlet get pods`; the API's p50/p99 for a pod GET and for a LIST of 1,000 objects;
# `kubectl apply` of 30 pods until all are Running; watch fan-out (20 watchers, one change);
# the agent's RSS with 100 pods and 20 watches.
# Run by scripts/bench.sh inside a private network + mount + PID namespace, with
# SWIFTLET_BIN_DIR set. The 30-pod peer (`podman kube play`) is in the pods section.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."
BIN=$SWIFTLET_BIN_DIR
WORK="$(mktemp -d /tmp/swiftlet-bench-api.XXXXXX)"
ROOT=$WORK/root
AGENT=
cleanup() {
    if [ -n "$AGENT" ]; then kill "$AGENT" 2>/dev/null || true; wait "$AGENT" 2>/dev/null || true; fi
    "$BIN/swiftlet" reset --root "$ROOT" >/dev/null 2>&1 || true
    "$BIN/swiftlet" proxy --cleanup >/dev/null 2>&1 || true
    ip link del swiftlet0 2>/dev/null || true
    for d in /sys/fs/cgroup/*/swiftlet-bench-api /sys/fs/cgroup/swiftlet-bench-api; do
        if [ -d "$d" ]; then find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true; fi
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
ms() { echo "$(( ($(date +%s%N) - $1) / 1000000 ))"; }
median_ms() {  # median_ms RUNS CMD...: the median wall time of CMD in ms
    local runs=$1 i start times=(); shift
    for ((i = 0; i < runs; i++)); do start=$(date +%s%N); "$@" >/dev/null 2>&1; times+=("$(ms "$start")"); done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p"
}
pods_yaml() {  # pods_yaml PREFIX COUNT
    for ((i = 0; i < $2; i++)); do
        printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s%d\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox:stable\n    command: ["sleep", "3600"]\n---\n' "$1" "$i"
    done
}
running() { kubectl get pods --no-headers 2>/dev/null | grep -c " Running " || true; }

scripts/make-test-image.sh "$WORK/image" >/dev/null
"$BIN/swiftlet" images import "$WORK/image/oci" --name busybox:stable --root "$ROOT" >/dev/null
"$BIN/swiftlet" run --manifests "$WORK/manifests" --root "$ROOT" --run-dir "$WORK/run" --log-dir "$WORK/logs" \
    --cni-conf-dir "$WORK/cni" --cgroup-parent /swiftlet-bench-api --node-name bench >"$WORK/agent.log" 2>&1 &
AGENT=$!
export KUBECONFIG=$ROOT/admin.kubeconfig
for _ in $(seq 100); do kubectl get ns >/dev/null 2>&1 && break; sleep 0.2; done

pods_yaml a 30 >"$WORK/thirty.yaml"
start=$(date +%s%N)
kubectl apply -f "$WORK/thirty.yaml" >/dev/null
until [ "$(running)" -ge 30 ]; do sleep 0.05; done
apply30=$(ms "$start")

pods_yaml b 70 >"$WORK/seventy.yaml"
kubectl apply -f "$WORK/seventy.yaml" >/dev/null
until [ "$(running)" -ge 100 ]; do sleep 0.5; done
kubectl_get=$(median_ms 9 kubectl get pods)
swiftlet_get=$(median_ms 9 "$BIN/swiftlet" get pods --root "$ROOT")
read -r get50 get99 < <(python3 scripts/bench/api_client.py "$ROOT" get /api/v1/namespaces/default/pods/a0 500)
python3 scripts/bench/api_client.py "$ROOT" configmaps 1000
read -r list50 list99 < <(python3 scripts/bench/api_client.py "$ROOT" get /api/v1/namespaces/default/configmaps 50)
fanout=$(python3 scripts/bench/api_client.py "$ROOT" fanout 20)
python3 - "$ROOT" <<'PY' &
import sys, threading, time
sys.path.insert(0, "scripts/bench")
import api_client
make, headers = api_client.connect(sys.argv[1])
def hold():
    c = make(); c.request("GET", "/api/v1/pods?watch=true", headers=headers); r = c.getresponse(); time.sleep(6)
threads = [threading.Thread(target=hold) for _ in range(20)]
[t.start() for t in threads]; [t.join() for t in threads]
PY
WATCHERS=$!
sleep 3
rss=$(( $(ps -o rss= -p "$AGENT") / 1024 ))
wait "$WATCHERS" || true

printf '%-58s %12s %14s\n' "what" "swiftlet" "peer / target"
printf '%-58s %9s ms %14s\n' "kubectl get pods, 100 pods (whole process, median of 9)" "$kubectl_get" "swiftlet get: $swiftlet_get ms"
printf '%-58s %6s/%s ms %14s\n' "API GET of a pod, p50/p99 (500 on one connection)" "$get50" "$get99" "p50 < 2 ms"
printf '%-58s %6s/%s ms %14s\n' "API LIST of 1,000 ConfigMaps, p50/p99 (50)" "$list50" "$list99" "< 50 ms"
printf '%-58s %9s ms %14s\n' "kubectl apply of 30 pods until all Running" "$apply30" "< 3000 ms"
printf '%-58s %9s ms %14s\n' "watch fan-out: one change to 20 watchers" "$fanout" "—"
printf '%-58s %9s MB %14s\n' "agent RSS, 100 pods and 20 watches" "$rss" "< 80 MB"
