#!/usr/bin/env bash
# Ingress benchmark: the built-in Ingress controller against nginx (Debian's, as a plain
# reverse proxy) in front of the same pods: a real agent runs a two-replica busybox httpd
# Deployment behind a Service and an Ingress; nginx proxies to the same endpoint IPs with
# keep-alive upstreams. wrk drives each over HTTP and HTTPS (TLS terminated by the proxy);
# the table has requests/s and latency p50/p99.
# Run by scripts/bench.sh inside a private network + mount + PID namespace, with
# SWIFTLET_BIN_DIR set. SWIFTLET_BENCH_SECONDS (default 10) and SWIFTLET_BENCH_CONNECTIONS
# (default 32) size each wrk run.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."

if [ "${SWIFTLET_PRIVATE_NS:-}" != 1 ]; then
    echo "bench/ingress: run me through scripts/bench.sh (or scripts/in-private-ns.sh)" >&2
    exit 1
fi
for tool in wrk nginx kubectl openssl; do
    command -v "$tool" >/dev/null || { echo "bench/ingress: $tool missing (scripts/bootstrap.sh)" >&2; exit 1; }
done
BIN_DIR=${SWIFTLET_BIN_DIR:-$PWD/.build/release}
SECONDS_PER_RUN=${SWIFTLET_BENCH_SECONDS:-10}
CONNECTIONS=${SWIFTLET_BENCH_CONNECTIONS:-32}
WORK="$(mktemp -d /tmp/swiftlet-bench-ingress.XXXXXX)"
ROOT="$WORK/root"
CGROUP_PARENT="/swiftlet-bench-ingress-$$"
AGENT=
NGINX_PID=
swiftlet() { "$BIN_DIR/swiftlet" "$@"; }
k() { KUBECONFIG="$ROOT/admin.kubeconfig" kubectl "$@"; }

cleanup() {
    if [ -n "$NGINX_PID" ]; then kill "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; fi
    if [ -n "$AGENT" ]; then kill "$AGENT" 2>/dev/null || true; wait "$AGENT" 2>/dev/null || true; fi
    swiftlet reset --root "$ROOT" >/dev/null 2>&1 || true
    swiftlet proxy --cleanup >/dev/null 2>&1 || true
    ip link del swiftlet0 2>/dev/null || true
    local d
    for d in /sys/fs/cgroup/*"$CGROUP_PARENT" /sys/fs/cgroup"$CGROUP_PARENT"; do
        [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

ip link set lo up
scripts/make-test-image.sh "$WORK/image" >/dev/null 2>&1
# A tag other than latest: pulled IfNotPresent, so the imported image is used.
swiftlet images import "$WORK/image/oci" --name busybox:stable --root "$ROOT" >/dev/null
mkdir -p "$WORK/manifests"
"$BIN_DIR/swiftlet" run --manifests "$WORK/manifests" --root "$ROOT" --run-dir "$WORK/run" --log-dir "$WORK/logs" \
    --cni-conf-dir "$WORK/cni" --cgroup-parent "$CGROUP_PARENT" --node-name bench --cluster-dns none >"$WORK/agent.log" 2>&1 &
AGENT=$!
for _ in $(seq 300); do [ -f "$ROOT/admin.kubeconfig" ] && k version >/dev/null 2>&1 && break; sleep 0.2; done

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=hello.local -addext subjectAltName=DNS:hello.local \
    -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null
k create deployment web --image=busybox:stable --replicas=2 -- sh -c 'mkdir -p /srv; echo hello > /srv/who; exec httpd -f -p 8080 -h /srv' >/dev/null
k expose deployment web --port=80 --target-port=8080 >/dev/null
k create secret tls hello-tls --cert "$WORK/tls.crt" --key "$WORK/tls.key" >/dev/null
k apply -f - >/dev/null <<'YAML'
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  tls: [{hosts: [hello.local], secretName: hello-tls}]
  rules:
  - host: hello.local
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
YAML
NODE_IP=$(ip -4 -o addr show swiftlet0 | awk '{print $4}' | cut -d/ -f1)
for _ in $(seq 300); do
    [ "$(curl -s -m 2 -H 'Host: hello.local' "http://$NODE_IP/who" || true)" = hello ] && break
    sleep 0.2
done
ENDPOINTS=
for _ in $(seq 100); do
    ENDPOINTS=$(k get pods -l app=web -o jsonpath='{.items[*].status.podIP}' 2>&1)
    [ "$(wc -w <<<"$ENDPOINTS")" -ge 2 ] && break
    sleep 0.2
done

mkdir -p "$WORK/nginx"
{
    echo "daemon off; worker_processes 2; pid $WORK/nginx/pid; error_log $WORK/nginx/error.log;"
    echo "events { worker_connections 4096; }"
    echo "http { access_log off; upstream web {"
    for ip in $ENDPOINTS; do echo "  server $ip:8080;"; done
    echo "  keepalive 64; }"
    echo "  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx;"
    echo "  server { listen 8080; listen 8443 ssl; server_name hello.local;"
    echo "    ssl_certificate $WORK/tls.crt; ssl_certificate_key $WORK/tls.key;"
    echo "    location / { proxy_pass http://web; proxy_http_version 1.1; proxy_set_header Connection \"\";"
    echo "      proxy_set_header Host \$host; proxy_set_header X-Forwarded-For \$remote_addr; } } }"
} >"$WORK/nginx/nginx.conf"
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
NGINX_PID=$!
for _ in $(seq 100); do [ "$(curl -s -m 2 -H 'Host: hello.local' "http://$NODE_IP:8080/who" || true)" = hello ] && break; sleep 0.1; done

# wrk's requests/s, p50 and p99 (ms) for one URL.
measure() {
    local out rps p50 p99 bad
    out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -H 'Host: hello.local' "$1" 2>&1)
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    # Answers other than 2xx/3xx, and socket errors: a fast proxy that fails is no faster.
    bad=$(awk '/Non-2xx or 3xx responses:/ {n += $NF} /Socket errors:/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10} END {print n + 0}' <<<"$out")
    printf '%-28s %12s %10s %10s %10s\n' "$2" "${rps:-failed}" "${p50:--}" "${p99:--}" "$bad"
}
printf '%-28s %12s %10s %10s %10s\n' "proxy (2 busybox pods)" "requests/s" "p50" "p99" "errors"
measure "http://$NODE_IP/who" "swiftlet ingress http"
measure "http://$NODE_IP:8080/who" "nginx http"
# By address, so without SNI: each proxy's default certificate (wrk verifies none).
measure "https://$NODE_IP/who" "swiftlet ingress https"
measure "https://$NODE_IP:8443/who" "nginx https"
