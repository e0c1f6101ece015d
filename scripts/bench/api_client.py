#!/usr/bin/env python3
"""API latency probes for scripts/bench/api.sh: GET/LIST percentiles over one keep-alive
HTTPS connection, and watch fan-out (N watchers, the time one change takes to reach all)."""
import http.client, json, ssl, sys, threading, time

def connect(root):
    ctx = ssl.create_default_context(cafile=root + "/pki/ca.crt")
    token = open(root + "/pki/admin.token").read().strip()
    return (lambda: http.client.HTTPSConnection("127.0.0.1", 6443, context=ctx)), {"Authorization": "Bearer " + token}

def percentiles(samples):
    samples = sorted(samples)
    return samples[len(samples) // 2] * 1000, samples[min(len(samples) - 1, int(len(samples) * 0.99))] * 1000

def timed(root, path, runs):
    make, headers = connect(root)
    conn = make()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        conn.request("GET", path, headers=headers)
        body = conn.getresponse().read()
        samples.append(time.perf_counter() - start)
    return percentiles(samples), len(body)

def create_configmaps(root, count):
    make, headers = connect(root)
    conn = make()
    headers = dict(headers, **{"Content-Type": "application/json"})
    for i in range(count):
        body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "bench-%d" % i}, "data": {"k": "v" * 64}})
        conn.request("POST", "/api/v1/namespaces/default/configmaps", body=body, headers=headers)
        conn.getresponse().read()

def fanout(root, watchers):
    make, headers = connect(root)
    arrived, ready = [], threading.Barrier(watchers + 1)
    lock = threading.Lock()
    def watch():
        conn = make()
        conn.request("GET", "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=%s" % current, headers=headers)
        response = conn.getresponse()
        ready.wait()
        while True:
            line = response.readline()
            if b"fanout-probe" in line:
                with lock: arrived.append(time.perf_counter())
                return
    conn = make()
    conn.request("GET", "/api/v1/namespaces/default/configmaps?limit=1", headers=headers)
    current = json.loads(conn.getresponse().read())["metadata"]["resourceVersion"]
    threads = [threading.Thread(target=watch, daemon=True) for _ in range(watchers)]
    for t in threads: t.start()
    ready.wait()
    time.sleep(0.2)
    start = time.perf_counter()
    body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fanout-probe"}})
    conn.request("POST", "/api/v1/namespaces/default/configmaps", body=body, headers=dict(headers, **{"Content-Type": "application/json"}))
    conn.getresponse().read()
    for t in threads: t.join(10)
    return (max(arrived) - start) * 1000 if len(arrived) == watchers else float("nan")

if __name__ == "__main__":
    root, what = sys.argv[1], sys.argv[2]
    if what == "get":
        (p50, p99), _ = timed(root, sys.argv[3], int(sys.argv[4]))
        print("%.2f %.2f" % (p50, p99))
    elif what == "configmaps":
        create_configmaps(root, int(sys.argv[3]))
    elif what == "fanout":
        print("%.1f" % fanout(root, int(sys.argv[3])))
