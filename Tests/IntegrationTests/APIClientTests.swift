import Foundation
import Testing

/// The API with other real clients and with bad input: the official Python client, raw
/// requests that must get upstream's Status errors, and an agent SIGKILLed mid-apply.
@Suite(.enabled(if: getuid() == 0 && AgentHarness.hasKubectl))
struct APIClientTests {
    static let pythonClient = """
        import sys, threading
        from kubernetes import client, config, watch
        config.load_kube_config(sys.argv[1])
        v1 = client.CoreV1Api()
        seen = []
        def watcher():
            w = watch.Watch()
            for event in w.stream(v1.list_namespaced_pod, "default", timeout_seconds=30):
                seen.append((event["type"], event["object"].metadata.name))
                if event["type"] == "DELETED" and event["object"].metadata.name == "from-python":
                    w.stop()
        t = threading.Thread(target=watcher)
        t.start()
        pod = client.V1Pod(metadata=client.V1ObjectMeta(name="from-python", labels={"client": "python"}),
                           spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="busybox:stable", command=["sleep", "3600"])]))
        v1.create_namespaced_pod("default", pod)
        names = [p.metadata.name for p in v1.list_namespaced_pod("default", label_selector="client=python").items]
        print("listed", names)
        v1.delete_namespaced_pod("from-python", "default")
        t.join(40)
        print("watched", sorted(set(kind for kind, name in seen if name == "from-python")))
        """

    @Test func pythonClientListsCreatesWatchesDeletes() throws {
        let node = try AgentHarness("python")
        defer { node.shutDown() }
        try node.importImage(as: "busybox:stable")
        try node.start()
        #expect(node.wait(30) { FileManager.default.fileExists(atPath: node.kubeconfig) })
        node.waitForKubectl(["get", "ns"], timeout: 20) { $0.contains("default") }
        try Self.pythonClient.write(toFile: node.base + "/client.py", atomically: true, encoding: .utf8)
        let result = node.runInNode(["/usr/bin/env", "python3", node.base + "/client.py", node.kubeconfig], timeout: 60)
        #expect(result.output.contains("listed ['from-python']"), "\(result.output)")
        #expect(result.output.contains("watched ['ADDED', 'DELETED']") || result.output.contains("watched ['ADDED', 'DELETED', 'MODIFIED']"),
                "\(result.output)")
    }

    @Test func badInputGetsUpstreamStatusAndLosesNothing() throws {
        let node = try AgentHarness("apierrors")
        defer { node.shutDown() }
        try node.start()
        #expect(node.wait(30) { FileManager.default.fileExists(atPath: node.kubeconfig) })
        node.waitForKubectl(["get", "ns"], timeout: 20) { $0.contains("default") }
        let pods = "/api/v1/namespaces/default/configmaps"
        let good = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"keep"},"data":{"a":"1"}}"#
        #expect(node.apiRequest("POST", pods, body: good).code == 201)

        // No credentials, or wrong ones: 401, with no anonymous access.
        #expect(node.apiRequest("GET", pods, token: "").code == 401)
        let wrong = node.apiRequest("GET", pods, token: "not-the-token")
        #expect(wrong.code == 401 && wrong.body.contains("\"reason\":\"Unauthorized\""))

        // Malformed JSON: 400.
        let malformed = node.apiRequest("POST", pods, body: "{\"apiVersion\": ")
        #expect(malformed.code == 400 && malformed.body.contains("\"kind\":\"Status\""), "\(malformed)")
        // Unknown kind or apiVersion for the resource: 400.
        let wrongKind = node.apiRequest("POST", pods, body: #"{"apiVersion":"v9","kind":"Gadget","metadata":{"name":"x"}}"#)
        #expect(wrongKind.code == 400, "\(wrongKind)")
        // An unknown resource: 404.
        #expect(node.apiRequest("GET", "/apis/example.com/v1/gadgets").code == 404)
        // An invalid field: 422 naming it.
        let invalid = node.apiRequest("POST", "/api/v1/namespaces/default/pods",
            body: #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"bad"},"spec":{"containers":[{"name":"c"}]}}"#)
        #expect(invalid.code == 422 && invalid.body.contains("\"reason\":\"Invalid\"") && invalid.body.contains("spec.containers[0].image"), "\(invalid)")
        // A duplicate create: 409 AlreadyExists.
        let duplicate = node.apiRequest("POST", pods, body: good)
        #expect(duplicate.code == 409 && duplicate.body.contains("AlreadyExists"), "\(duplicate)")
        // A stale update: 409 Conflict.
        let stale = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"keep","resourceVersion":"1"},"data":{"a":"2"}}"#
        let conflict = node.apiRequest("PUT", pods + "/keep", body: stale)
        #expect(conflict.code == 409 && conflict.body.contains("\"reason\":\"Conflict\""), "\(conflict)")
        // An oversize body: 413.
        let big = node.base + "/big.json"
        try Data(repeating: 0x20, count: 4 * 1024 * 1024).write(to: URL(fileURLWithPath: big))
        #expect(node.apiRequest("POST", pods, bodyFile: big).code == 413)
        // kubectl shows them as upstream does.
        let kubectlInvalid = node.kubectl(["run", "bad name", "--image=busybox"]).output
        #expect(kubectlInvalid.contains("Invalid value"), "\(kubectlInvalid)")

        // Nothing stored was lost or changed.
        #expect(node.kubectl(["get", "cm", "keep", "-o", "jsonpath={.data.a}"]).output == "1")
    }

    @Test func agentKilledDuringApplyServesEveryAcknowledgedObject() throws {
        let node = try AgentHarness("apikill")
        defer { node.shutDown() }
        try node.importImage(as: "busybox:stable")
        try node.start()
        #expect(node.wait(30) { FileManager.default.fileExists(atPath: node.kubeconfig) })
        node.waitForKubectl(["get", "ns"], timeout: 20) { $0.contains("default") }
        var manifest = ""
        for index in 0..<30 {
            manifest += """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p\(index)
                spec:
                  containers:
                  - name: c
                    image: busybox:stable
                    command: ["sleep", "3600"]
                ---

                """
        }
        try manifest.write(toFile: node.base + "/thirty.yaml", atomically: true, encoding: .utf8)
        let apply = try node.kubectlInBackground(["apply", "-f", node.base + "/thirty.yaml"])
        // Kill the agent once some, but not all, are acknowledged.
        _ = node.wait(30) { ((try? String(contentsOfFile: apply.output, encoding: .utf8)) ?? "").components(separatedBy: "created").count > 8 }
        node.stop(signal: SIGKILL)
        apply.process.waitUntilExit()
        let printed = (try? String(contentsOfFile: apply.output, encoding: .utf8)) ?? ""
        let acknowledged = printed.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("pod/"), line.hasSuffix(" created") else { return nil }
            return String(line.dropFirst(4).dropLast(8))
        }
        #expect(acknowledged.count >= 8, "\(printed)")
        try node.start()
        node.waitForKubectl(["get", "ns"], timeout: 30) { $0.contains("default") }
        let served = node.kubectl(["get", "pods", "-o", "name"]).output
        for name in acknowledged { #expect(served.contains("pod/\(name)\n"), "acknowledged \(name) lost: \(served)") }
        // The rest applies now, and every pod converges.
        #expect(node.kubectl(["apply", "-f", node.base + "/thirty.yaml"]).status == 0)
        let running = node.waitForKubectl(["get", "pods", "--no-headers"], timeout: 120) { out in
            out.split(separator: "\n").filter { $0.contains("Running") }.count == 30
        }
        #expect(running.split(separator: "\n").filter { $0.contains("Running") }.count == 30, "\(running)")
    }
}
