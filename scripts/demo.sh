#!/usr/bin/env bash
# Swiftlet demo: builds the project and runs the node agent on the example manifests in
# examples/, inside a private node network namespace (scripts/in-private-ns.sh). It waits
# for the pods to run, shows `swiftlet get pods -o wide`, curls the web pod, shows its
# logs; then runs examples/web-deployment.yaml (3 pods behind a Service serving a ConfigMap
# page), edits the page, deletes a pod to show it replaced, and tears everything down.
# scripts/demo-runtime.sh shows the OCI runtime alone (one container, its isolation).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

if [ "${1:-}" != --inside ]; then
    scripts/bootstrap.sh
    echo "==> swift build -c release" >&2
    swift build -c release >/dev/null
    exec scripts/in-private-ns.sh "$0" --inside "$(swift build -c release --show-bin-path)"
fi

# ---- inside the private namespace from here on -----------------------------------------
BIN=$2
WORK="$(mktemp -d /tmp/swiftlet-demo.XXXXXX)"
ROOT="$WORK/root"
MANIFESTS="$WORK/manifests"
CGROUP_PARENT=/swiftlet-demo
AGENT=
swiftlet() { "$BIN/swiftlet" "$@"; }
heading() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

cleanup() {
    if [ -n "$AGENT" ]; then kill "$AGENT" 2>/dev/null || true; wait "$AGENT" 2>/dev/null || true; fi
    swiftlet reset --root "$ROOT" >/dev/null 2>&1 || true
    swiftlet proxy --cleanup >/dev/null 2>&1 || true
    ip link del swiftlet0 2>/dev/null || true
    local d
    for d in /sys/fs/cgroup/*"$CGROUP_PARENT" /sys/fs/cgroup"$CGROUP_PARENT"; do
        if [ -d "$d" ]; then find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true; fi
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

heading "Test image (busybox-static, built offline) imported into the node's image store"
scripts/make-test-image.sh "$WORK/image" >/dev/null
swiftlet images import "$WORK/image/oci" --name busybox --root "$ROOT"
swiftlet images list --root "$ROOT"

heading "Starting the agent: swiftlet run (manifests in $MANIFESTS)"
mkdir -p "$MANIFESTS"
# The binary itself, not the shell function: $! must be the agent's PID.
"$BIN/swiftlet" run --manifests "$MANIFESTS" --root "$ROOT" --run-dir "$WORK/run" --log-dir "$WORK/logs" \
    --cni-conf-dir "$WORK/cni" --cgroup-parent "$CGROUP_PARENT" --node-name demo-node >"$WORK/agent.log" 2>&1 &
AGENT=$!

heading "swiftlet apply -f examples/web.yaml -f examples/web-service.yaml"
swiftlet apply -f examples/web.yaml --manifests "$MANIFESTS"
swiftlet apply -f examples/web-service.yaml --manifests "$MANIFESTS"
for _ in $(seq 1 100); do
    swiftlet get pods --root "$ROOT" 2>/dev/null | grep -q ' 2/2 .*Running' && break
    sleep 0.2
done

heading "swiftlet get pods -o wide"
swiftlet get pods -o wide --root "$ROOT"

IP="$(swiftlet get pods -o json --root "$ROOT" | jq -r '.items[0].status.podIP')"
heading "curl http://$IP:8080/ from the node"
curl -s -m 5 "http://$IP:8080/"
echo

VIP="$(jq -r .spec.clusterIP "$ROOT/objects/services/default/web.json")"
heading "The Service web: curl http://$VIP/ (its ClusterIP) from the node"
# The endpoints follow readiness on the agent's next pass.
for _ in $(seq 1 50); do curl -s -m 1 -o /dev/null "http://$VIP/" && break; sleep 0.2; done
curl -s -m 5 "http://$VIP/"
echo
heading "...and by name from inside the pod: wget http://web.default.svc.cluster.local/"
swiftlet exec web -c sidecar --root "$ROOT" -- wget -q -O- http://web.default.svc.cluster.local/
echo
heading "kube-proxy's rules for it (iptables -t nat, KUBE-SVC/KUBE-SEP)"
iptables-save -t nat | grep -E '^-A KUBE-(SVC|SEP)' | grep 'default/web' || true

sleep 1
heading "swiftlet logs web -c sidecar"
swiftlet logs web -c sidecar --tail 3 --root "$ROOT"

heading "swiftlet exec web -c httpd -- ps"
swiftlet exec web -c httpd --root "$ROOT" -- ps

heading "swiftlet describe pod web (first lines)"
swiftlet describe pod web --root "$ROOT" | head -20

if [ -x /usr/bin/kubectl ]; then
    # The agent serves the Kubernetes API: the user's own kubectl drives the node.
    export KUBECONFIG="$ROOT/admin.kubeconfig"
    heading "kubectl --kubeconfig $KUBECONFIG get pods -o wide (the real kubectl, through the node's API)"
    kubectl get pods -o wide
    heading "kubectl create deployment api-demo --image=busybox --replicas=2, then kubectl edit to 3 replicas"
    swiftlet images import "$WORK/image/oci" --name busybox:stable --root "$ROOT" >/dev/null
    kubectl create deployment api-demo --image=busybox:stable --replicas=2 -- httpd -f -p 8080
    KUBE_EDITOR="sed -i 's/^  replicas: 2$/  replicas: 3/'" kubectl edit deployment api-demo
    kubectl rollout status deployment/api-demo --timeout=60s
    kubectl get deploy,rs,pods -l app=api-demo
    kubectl delete deployment api-demo
    unset KUBECONFIG
fi

heading "swiftlet apply -f examples/web-deployment.yaml (ConfigMap page, Deployment of 3, Service)"
swiftlet apply -f examples/web-deployment.yaml --manifests "$MANIFESTS"
for _ in $(seq 1 150); do
    swiftlet get deployments --root "$ROOT" 2>/dev/null | grep -q '^hello  *3/3 ' && break
    sleep 0.2
done
heading "swiftlet get deployments,replicasets,pods,services"
swiftlet get deployments -o wide --root "$ROOT"
echo
swiftlet get rs --root "$ROOT"
echo
swiftlet get pods -o wide --root "$ROOT"
echo
swiftlet get svc --root "$ROOT"

VIP="$(swiftlet get svc hello -o json --root "$ROOT" | jq -r '.spec.clusterIP')"
heading "curl http://$VIP/ (the Service VIP) from the node"
curl -s -m 5 "http://$VIP/"
heading "wget http://hello.default.svc.cluster.local/ by name from inside the web pod (cluster DNS)"
swiftlet exec web --root "$ROOT" -c sidecar -- wget -q -O- http://hello.default.svc.cluster.local/ || true

heading "Editing the ConfigMap: the running pods serve the new page"
sed 's/Hello from a Swiftlet Deployment/Hello again, edited in place/' examples/web-deployment.yaml >"$WORK/web-deployment.yaml"
cp "$WORK/web-deployment.yaml" "$MANIFESTS/.web-deployment.yaml.new" && mv "$MANIFESTS/.web-deployment.yaml.new" "$MANIFESTS/web-deployment.yaml"
for _ in $(seq 1 150); do
    [[ "$(curl -s -m 2 "http://$VIP/")" == *"edited in place"* ]] && break
    sleep 0.2
done
curl -s -m 5 "http://$VIP/"

POD="$(swiftlet get pods -o json --root "$ROOT" | jq -r '[.items[] | select(.metadata.name | startswith("hello-"))][0].metadata.name')"
heading "swiftlet delete pod $POD: the Deployment replaces it"
swiftlet delete pod "$POD" --root "$ROOT"
for _ in $(seq 1 100); do
    [ "$(swiftlet get pods --root "$ROOT" 2>/dev/null | grep -c '^hello-.*1/1 *Running')" = 3 ] && break
    sleep 0.2
done
swiftlet get pods --root "$ROOT"
heading "swiftlet describe deployment hello (events)"
swiftlet describe deployment hello --root "$ROOT" | sed -n '/^Events:/,$p'
swiftlet delete -f examples/web-deployment.yaml --manifests "$MANIFESTS"

heading "swiftlet delete -f examples/web.yaml -f examples/web-service.yaml"
swiftlet delete -f examples/web.yaml --manifests "$MANIFESTS"
swiftlet delete -f examples/web-service.yaml --manifests "$MANIFESTS"
for _ in $(seq 1 100); do
    [ -z "$(swiftlet get pods --root "$ROOT" 2>/dev/null)" ] && break
    sleep 0.2
done
swiftlet get pods --root "$ROOT" || true

heading "Agent log"
grep -v "^.*debug" "$WORK/agent.log"
