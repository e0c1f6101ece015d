#!/usr/bin/env bash
# Installs every system package Swiftlet needs, with apt. Idempotent: does nothing
# when all are present. Package services never start on install (policy-rc.d).
set -euo pipefail

PACKAGES=(
    # build: the C shim's libraries
    libseccomp-dev libcap-dev libmnl-dev libnftnl-dev libarchive-dev libssl-dev pkg-config
    # host tools used by tests, the demo and the benchmark
    # (nftables: `nft list` checks the netlink proxy backend's tables in tests)
    iproute2 iptables nftables busybox-static curl jq util-linux procps gzip zstd tar
    # reference CNI plugins, to check our CNI library against them
    containernetworking-plugins
    # peer OCI runtimes the runtime benchmark compares against (installed here because the
    # benchmark itself runs in a network namespace without a route to the mirror)
    crun runc
    # registry pulls: a local registry for tests (its service never starts, see policy-rc.d),
    # htpasswd for its auth tests, skopeo for the pull benchmark
    docker-registry apache2-utils skopeo
    # peer the pod benchmark compares against (`podman kube play`); catatonit is also PID 1
    # of the tests' private namespace (scripts/in-private-ns.sh)
    podman catatonit
    # the Ingress benchmark: nginx as the reverse proxy it compares against, wrk as the load
    nginx-light wrk
)

# The official Kubernetes Python client: the API tests' second real client (PyPI).
if ! python3 -c 'import kubernetes' 2>/dev/null; then
    echo "bootstrap: installing the kubernetes Python client" >&2
    python3 -m pip install -q --disable-pip-version-check kubernetes >/dev/null
fi

# Prometheus' own Python client: its text-format parser reads the agent's /metrics in the tests (PyPI).
if ! python3 -c 'import prometheus_client' 2>/dev/null; then
    echo "bootstrap: installing the prometheus-client Python package" >&2
    python3 -m pip install -q --disable-pip-version-check prometheus-client >/dev/null
fi

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: missing packages (${missing[*]}); run as root" >&2
    exit 1
fi

echo "bootstrap: installing ${missing[*]}" >&2
# Keep package services (a registry listening on every interface, say) from starting.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# podman ships a default CNI network in /etc/cni/net.d, which `swiftlet run` would then take
# as the node's pod network instead of writing its own; the benchmark gives podman a private
# network_config_dir, so the file is not needed.
if [[ " ${missing[*]} " == *" podman "* ]]; then rm -f /etc/cni/net.d/87-podman-bridge.conflist; fi
