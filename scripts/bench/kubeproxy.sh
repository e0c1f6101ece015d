#!/usr/bin/env bash
# KubeProxy benchmark: rule generation and apply for 1,000 and 10,000 synthetic Services with
# 3 endpoints each (full sync into empty tables, a full resync over them, incremental syncs
# after one Service changes), per iptables backend and for the nftables backend (netlink, one
# transaction per sync); then the first-connection latency through a Service VIP against
# straight to the pod IP with 1,000 Services installed, per proxy mode.
# Run by scripts/bench.sh inside a private network + mount + PID namespace, with
# SWIFTLET_BIN_DIR set. SWIFTLET_BENCH_SERVICES overrides the sizes (default "1000 10000").
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."

if [ "${SWIFTLET_PRIVATE_NS:-}" != 1 ]; then
    echo "bench/kubeproxy: run me through scripts/bench.sh (or scripts/in-private-ns.sh)" >&2
    exit 1
fi
BIN_DIR=${SWIFTLET_BIN_DIR:-$PWD/.build/release}
BENCH="$BIN_DIR/swiftlet-proxy-bench"
if [ ! -x "$BENCH" ]; then
    echo "bench/kubeproxy: $BENCH missing (swift build -c release --product swiftlet-proxy-bench)" >&2
    exit 1
fi
SIZES=${SWIFTLET_BENCH_SERVICES:-"1000 10000"}

WORK="$(mktemp -d /tmp/swiftlet-bench-proxy.XXXXXX)"
POD_NS="kp-bench-pod-$$"
HTTPD_PID=""
cleanup() {
    if [ -n "$HTTPD_PID" ]; then
        kill -KILL "$HTTPD_PID" 2>/dev/null || true
        wait "$HTTPD_PID" 2>/dev/null || true
    fi
    ip netns del "$POD_NS" 2>/dev/null || true
    ip link del kpb0 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

rows=()
run() { # variant services [extra args...]
    local variant=$1 n=$2 line
    shift 2
    if line=$("$BENCH" --variant "$variant" --services "$n" "$@" 2>"$WORK/err"); then
        rows+=("$line")
    else
        rows+=("$variant $n failed: $(tail -1 "$WORK/err")")
    fi
}

for n in $SIZES; do run system "$n"; done
for n in $SIZES; do run nftables "$n"; done
if command -v iptables-legacy-restore >/dev/null; then
    # The legacy backend rewrites the whole table per commit: one commit is cheapest there.
    for n in $SIZES; do run legacy "$n" --chains-per-commit 100000000; done
fi

# One pod behind a bridge, serving HTTP, for the latency measurement.
mkdir -p "$WORK/www"
echo bench >"$WORK/www/index.html"
sysctl -qw net.ipv4.ip_forward=1
ip link add kpb0 type bridge
ip addr add 10.244.0.1/24 dev kpb0
ip link set kpb0 up
ip route add default dev kpb0
ip netns add "$POD_NS"
ip link add kpv0 type veth peer name eth0 netns "$POD_NS"
ip link set kpv0 master kpb0
ip link set kpv0 up
ip -n "$POD_NS" link set lo up
ip -n "$POD_NS" addr add 10.244.0.11/24 dev eth0
ip -n "$POD_NS" link set eth0 up
ip -n "$POD_NS" route add default via 10.244.0.1
ip netns exec "$POD_NS" /bin/busybox httpd -f -p 80 -h "$WORK/www" &
HTTPD_PID=$!
for _ in $(seq 50); do curl -s -m 1 -o /dev/null http://10.244.0.11/ && break; sleep 0.1; done
latency=$("$BENCH" --variant system --services 1000 --repeat 1 --latency-backend 10.244.0.11:80 --samples 300 2>"$WORK/err") ||
    latency="failed: $(tail -1 "$WORK/err")"
nft_latency=$("$BENCH" --variant nftables --services 1000 --repeat 1 --latency-backend 10.244.0.11:80 --samples 300 2>"$WORK/err") ||
    nft_latency="failed: $(tail -1 "$WORK/err")"

echo "KubeProxy: generate + apply, N Services x 3 endpoints, ms (incremental: median of 5)"
printf '%-8s %7s %9s %10s %9s %9s %10s %8s %9s %9s\n' backend services generate full-sync resync incr-gen incr-endpt incr-add incr-del cleanup
for line in "${rows[@]}"; do
    set -- $line
    if [ $# -ge 10 ] && [[ $3 =~ ^[0-9.]+$ ]]; then
        printf '%-8s %7s %9s %10s %9s %9s %10s %8s %9s %9s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "${10}"
    else
        echo "$line"
    fi
done
echo "targets: full sync of 10,000 Services < 2000 ms; incremental sync < 100 ms"
set -- $latency
if [ $# -ge 12 ] && [[ ${11} =~ ^[0-9]+$ ]]; then
    echo "first TCP connection with 1,000 Services installed (median of 300, us): via VIP ${11}, straight to pod IP ${12}"
    echo "  (the VIP's rule is the last one in KUBE-SERVICES: the worst case of the linear scan)"
else
    echo "latency: $latency"
fi
set -- $nft_latency
if [ $# -ge 12 ] && [[ ${11} =~ ^[0-9]+$ ]]; then
    echo "same, nftables mode (a verdict-map lookup per shard table, whatever the number of Services): via VIP ${11}, straight to pod IP ${12}"
else
    echo "nftables latency: $nft_latency"
fi
