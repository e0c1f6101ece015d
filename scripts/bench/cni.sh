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

# The four configurations, measured interleaved (one round = every configuration on one
# namespace) so a load change on the machine hits them all alike.
NAMES=(swiftlet-bridge reference swiftlet-bridge reference)
BINS=("$SWIFTLET_BRIDGE" "$REFERENCE_BRIDGE" "$SWIFTLET_BRIDGE" "$REFERENCE_BRIDGE")
MASQ=(true true false false)
CONFS=()
for c in 0 1 2 3; do
    bridge="cnib$$c$c"
    BRIDGES+=("$bridge")
    conf="$WORK/conf-$c.json"
    cat >"$conf" <<JSON
{"cniVersion":"1.0.0","name":"bench-$c","type":"$(basename "${BINS[$c]}")","bridge":"$bridge","isGateway":true,
 "ipMasq":${MASQ[$c]},"ipam":{"type":"host-local","ranges":[[{"subnet":"10.245.6$c.0/24"}]],"dataDir":"$WORK/ipam"}}
JSON
    CONFS+=("$conf")
done

# One ADD then DEL by the CNI exec protocol; prints its duration in ms, or "failed".
add_del() {
    local bin=$1 conf=$2 ns=$3 id=$4 start end
    start=$EPOCHREALTIME
    if CNI_COMMAND=ADD CNI_CONTAINERID="$id" CNI_NETNS="/run/netns/$ns" CNI_IFNAME=eth0 \
        CNI_PATH=/usr/lib/cni "$bin" <"$conf" >/dev/null 2>>"$WORK/errors" &&
        CNI_COMMAND=DEL CNI_CONTAINERID="$id" CNI_NETNS="/run/netns/$ns" CNI_IFNAME=eth0 \
            CNI_PATH=/usr/lib/cni "$bin" <"$conf" >/dev/null 2>>"$WORK/errors"; then
        end=$EPOCHREALTIME
        echo "$start $end" | awk '{ printf "%.3f\n", ($2 - $1) * 1000 }'
    else
        echo failed
    fi
}

declare -A TIMES
for c in 0 1 2 3; do
    [ -x "${BINS[$c]}" ] || continue
    # Two untimed warm-up rounds (page cache, bridge creation).
    add_del "${BINS[$c]}" "${CONFS[$c]}" "${NAMESPACES[0]}" warm1 >/dev/null
    add_del "${BINS[$c]}" "${CONFS[$c]}" "${NAMESPACES[0]}" warm2 >/dev/null
done
for ((i = 0; i < N; i++)); do
    for c in 0 1 2 3; do
        [ -x "${BINS[$c]}" ] || continue
        TIMES[$c]+="$(add_del "${BINS[$c]}" "${CONFS[$c]}" "${NAMESPACES[$i]}" "bench$i") "
    done
done

# Prints "name masq median min max total" (ms) or "name masq error message".
summary() {
    local c=$1 times
    if [ ! -x "${BINS[$c]}" ]; then
        echo "${NAMES[$c]} ${MASQ[$c]} not found: ${BINS[$c]}"
        return
    fi
    times=$(printf '%s\n' ${TIMES[$c]})
    if printf '%s\n' "$times" | grep -q failed; then
        echo "${NAMES[$c]} ${MASQ[$c]} failed: $(head -c 200 "$WORK/errors" | head -1)"
        return
    fi
    printf '%s\n' "$times" | sort -n | awk -v name="${NAMES[$c]}" -v masq="${MASQ[$c]}" '
        { v[NR] = $1; total += $1 }
        END {
            median = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%s %s %.2f %.2f %.2f %.1f\n", name, masq, median, v[1], v[NR], total
        }'
}

results=()
for c in 0 1 2 3; do results+=("$(summary $c)"); done
for br in "${BRIDGES[@]}"; do ip link del "$br" 2>/dev/null || true; done

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
# Ratio swiftlet / reference per ipMasq setting, of the medians and of the minimums (the
# least disturbed run when the machine is busy). Target: at most 0.5.
for masq in true false; do
    s=$(printf '%s\n' "${results[@]}" | awk -v m="$masq" '$1 == "swiftlet-bridge" && $2 == m { print $3, $4 }')
    r=$(printf '%s\n' "${results[@]}" | awk -v m="$masq" '$1 == "reference" && $2 == m { print $3, $4 }')
    if [[ $s =~ ^[0-9.]+\ [0-9.]+$ && $r =~ ^[0-9.]+\ [0-9.]+$ ]]; then
        echo "$masq $s $r" | awk '{ printf "ipMasq=%s: swiftlet-bridge / reference = %.2f (median), %.2f (min); target <= 0.50\n", $1, $2 / $4, $3 / $5 }'
    fi
done
