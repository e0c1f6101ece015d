import Foundation
import Testing

/// The agent's own `/metrics`, read as Prometheus reads it: the text parses with
/// `prometheus_client`'s parser, and the counters move as pods start and restart.
@Suite(.enabled(if: getuid() == 0 && AgentHarness.hasKubectl))
struct PrometheusEndpointTests {
    /// Prometheus' Python parser over the text: every sample summed over its label sets,
    /// and each family's type; exits non-zero on text it cannot parse.
    static let parser = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        out = {}
        for family in text_string_to_metric_families(sys.stdin.read()):
            out["type:" + family.name] = family.type
            for sample in family.samples:
                out[sample.name] = out.get(sample.name, 0.0) + sample.value
        print(json.dumps(out))
        """

    func scrape(_ node: AgentHarness) throws -> [String: Any] {
        let response = node.apiRequest("GET", "/metrics")
        guard response.code == 200 else { throw KubeletErrorForTests("/metrics: HTTP \(response.code): \(response.body)") }
        let parsed = node.runInNode(["/usr/bin/env", "python3", "-c", Self.parser], input: response.body + "\n")
        guard parsed.status == 0, let object = try JSONSerialization.jsonObject(with: Data(parsed.output.utf8)) as? [String: Any] else {
            throw KubeletErrorForTests("prometheus_client could not parse /metrics: \(parsed.output)\n\(response.body)")
        }
        return object
    }

    static func value(_ metrics: [String: Any], _ name: String) -> Double { metrics[name] as? Double ?? 0 }

    @Test func metricsParseAndMoveAsPodsStart() throws {
        let node = try AgentHarness("prom")
        defer { node.shutDown() }
        try node.importImage(as: "busybox:stable")
        try node.start()
        #expect(node.wait(30) { FileManager.default.fileExists(atPath: node.kubeconfig) })
        #expect(node.waitForKubectl(["version"], timeout: 20) { $0.contains("Server Version") }.contains("Server Version"))

        // As the apiserver's and the kubelet's, /metrics needs credentials.
        #expect(node.apiRequest("GET", "/metrics", token: "").code == 401)

        let before = try scrape(node)
        #expect(before["type:kubelet_pod_start_duration_seconds"] as? String == "histogram")
        #expect(before["type:apiserver_request_duration_seconds"] as? String == "histogram")
        #expect(before["type:kubelet_running_pods"] as? String == "gauge")
        #expect(Self.value(before, "kubelet_pod_start_duration_seconds_count") == 0)

        // A pod whose container exits every second: it starts, runs, and restarts.
        #expect(node.kubectl(["run", "crash", "--image=busybox:stable", "--", "sh", "-c", "sleep 1; exit 1"]).output.contains("pod/crash created"))
        var after: [String: Any] = [:]
        let moved = node.wait(90) {
            after = (try? scrape(node)) ?? [:]
            return Self.value(after, "kubelet_pod_start_duration_seconds_count") >= 1
                && Self.value(after, "kube_pod_container_status_restarts_total") >= 1
        }
        #expect(moved, "\(after)")
        #expect(Self.value(after, "kubelet_running_pods") >= 1, "\(after)")
        #expect(Self.value(after, "kubelet_pod_start_duration_seconds_sum") > 0, "\(after)")
        #expect(Self.value(after, "apiserver_request_total") > Self.value(before, "apiserver_request_total"), "\(after)")
        #expect(Self.value(after, "apiserver_request_duration_seconds_count") > Self.value(before, "apiserver_request_duration_seconds_count"))
        #expect(Self.value(after, "kubeproxy_sync_proxy_rules_duration_seconds_count") >= 1, "\(after)")
    }
}
