#!/usr/bin/env bash
# CNI benchmark: wall time of one ADD + DEL per network namespace, for 20 namespaces,
# with the same config for swiftlet-bridge (host-local in-process) and for the reference
# bridge + host-local plugins (Debian's containernetworking-plugins), ipMasq on and off.
# Run by scripts/bench.sh inside a private network + mount + PID namespace, with
# SWIFTLET_BIN_DIR set. SWIFTLET_BENCH_NETNS sets the number of namespaces (default 20).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."

if [ "${SWIFTLET_PRIVATE_NS:-}" != 1 ]; then
    echo "bench/cni: run me through scripts/bench.sh (or scripts/in-private-ns.sh)" >&2
    exit 1
fi
N=${SWIFTLET_BENCH_NETNS:-20}
BIN_DIR=${SWIFTLET_BIN_DIR:-$PWD/.build/release}
SWIFTLET_BRIDGE="$BIN_DIR/swiftlet-bridge"
REFERENCE_BRIDGE=/usr/lib/cni/bridge
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

WORK="$(mktemp -d /tmp/swiftlet-bench-cni.XXXXXX)"
NAMESPACES=()
BRIDGES=()
cleanup() {
    local ns br
    for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
    for br in "${BRIDGES[@]}"; do ip link del "$br" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

for ((i = 0; i < N; i++)); do
    ns="cnib-$$-$i"
    ip netns add "$ns"
    NAMESPACES+=("$ns")
done

# Prints one duration in ms per namespace: ADD then DEL, both by the CNI exec protocol.
measure() {
    local bin=$1 conf=$2 i ns start end
    for ((i = -2; i < N; i++)); do
        # Two untimed warm-up rounds on the first namespace.
        ns=${NAMESPACES[$((i < 0 ? 0 : i))]}
        start=$EPOCHREALTIME
        CNI_COMMAND=ADD CNI_CONTAINERID="bench$i" CNI_NETNS="/run/netns/$ns" CNI_IFNAME=eth0 \
            CNI_PATH=/usr/lib/cni "$bin" <"$conf" >/dev/null
        CNI_COMMAND=DEL CNI_CONTAINERID="bench$i" CNI_NETNS="/run/netns/$ns" CNI_IFNAME=eth0 \
            CNI_PATH=/usr/lib/cni "$bin" <"$conf" >/dev/null
        end=$EPOCHREALTIME
        [ "$i" -ge 0 ] && echo "$start $end" | awk '{ printf "%.3f\n", ($2 - $1) * 1000 }'
    done
}

# Prints "name masq median min max total" (ms) or "name masq error message".
bench_one() {
    local name=$1 bin=$2 masq=$3 subnet=$4 type bridge conf times err
    bridge="cnib$(printf '%04x' $((RANDOM)))"
    BRIDGES+=("$bridge")
    if [ ! -x "$bin" ]; then
        echo "$name $masq not-found: $bin"
        return
    fi
    type=$(basename "$bin")
    conf="$WORK/$name-$masq.json"
    cat >"$conf" <<JSON
{"cniVersion":"1.0.0","name":"bench-$name-$masq","type":"$type","bridge":"$bridge","isGateway":true,
 "ipMasq":$masq,"ipam":{"type":"host-local","ranges":[[{"subnet":"$subnet"}]],"dataDir":"$WORK/ipam"}}
JSON
    err="$WORK/$name-$masq.err"
    times=$(measure "$bin" "$conf" 2>"$err") || true
    ip link del "$bridge" 2>/dev/null || true
    if [ "$(printf '%s\n' "$times" | grep -c .)" -ne "$N" ]; then
        echo "$name $masq failed: $(head -c 200 "$err" | head -1)"
        return
    fi
    printf '%s\n' "$times" | sort -n | awk -v name="$name" -v masq="$masq" '
        { v[NR] = $1; total += $1 }
        END {
            median = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%s %s %.2f %.2f %.2f %.1f\n", name, masq, median, v[1], v[NR], total
        }'
}

results=()
results+=("$(bench_one swiftlet-bridge "$SWIFTLET_BRIDGE" true 10.245.60.0/24)")
results+=("$(bench_one reference "$REFERENCE_BRIDGE" true 10.245.61.0/24)")
results+=("$(bench_one swiftlet-bridge "$SWIFTLET_BRIDGE" false 10.245.62.0/24)")
results+=("$(bench_one reference "$REFERENCE_BRIDGE" false 10.245.63.0/24)")

echo "CNI ADD + DEL per network namespace, $N namespaces, ms (reference: bridge + host-local)"
printf '%-16s %-7s %9s %8s %8s %10s\n' plugin ipMasq median min max "total($N)"
for line in "${results[@]}"; do
    set -- $line
    if [ $# -eq 6 ] && [[ $3 =~ ^[0-9.]+$ ]]; then
        printf '%-16s %-7s %9s %8s %8s %10s\n' "$1" "$2" "$3" "$4" "$5" "$6"
    else
        printf '%-16s %-7s %s\n' "$1" "$2" "${line#"$1 $2 "}"
    fi
done
# Median ratio swiftlet / reference per ipMasq setting (target: at most 0.5).
for masq in true false; do
    s=$(printf '%s\n' "${results[@]}" | awk -v m="$masq" '$1 == "swiftlet-bridge" && $2 == m { print $3 }')
    r=$(printf '%s\n' "${results[@]}" | awk -v m="$masq" '$1 == "reference" && $2 == m { print $3 }')
    if [[ $s =~ ^[0-9.]+$ && $r =~ ^[0-9.]+$ ]]; then
        awk -v s="$s" -v r="$r" -v m="$masq" 'BEGIN { printf "ipMasq=%s: swiftlet-bridge / reference = %.2f (target <= 0.50)\n", m, s / r }'
    fi
done
