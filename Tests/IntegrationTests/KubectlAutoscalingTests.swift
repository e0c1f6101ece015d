import Foundation
import Testing

/// Resource metrics and the HorizontalPodAutoscaler seen through the real kubectl: `top`
/// shows a CPU burner's usage from its cgroup, and an HPA scales the burners' Deployment up
/// under load and back down once the load stops.
@Suite(.enabled(if: getuid() == 0 && AgentHarness.hasKubectl))
struct KubectlAutoscalingTests {
    /// No `replicas`: the HPA owns them, so re-applying the manifest leaves them alone.
    static func deployment(command: String) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: burn}
        spec:
          selector: {matchLabels: {app: burn}}
          template:
            metadata: {labels: {app: burn}}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: busy
                image: busybox:stable
                command: ["sh", "-c", "\(command)"]
                resources: {requests: {cpu: 100m}, limits: {cpu: 200m}}
        """
    }

    static let autoscaler = """
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: burn}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: burn}
          minReplicas: 1
          maxReplicas: 3
          metrics:
          - type: Resource
            resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
          behavior:
            scaleDown: {stabilizationWindowSeconds: 10}
        """

    /// The millicores `kubectl top pod` prints for the first pod whose name starts with `prefix`.
    static func topMillicores(_ output: String, prefix: String) -> Int? {
        for line in output.split(separator: "\n") where line.hasPrefix(prefix) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3 else { continue }
            let cpu = fields[1]
            if cpu.hasSuffix("m") { return Int(cpu.dropLast()) }
            return Int(cpu).map { $0 * 1000 }
        }
        return nil
    }

    @Test func topAndHorizontalPodAutoscaler() throws {
        let node = try AgentHarness("hpa")
        defer { node.shutDown() }
        node.extraArguments = ["--metric-resolution", "5"]
        try node.importImage(as: "busybox:stable")
        try node.start()
        #expect(node.wait(30) { FileManager.default.fileExists(atPath: node.kubeconfig) })
        #expect(node.waitForKubectl(["version"], timeout: 20) { $0.contains("Server Version") }.contains("Server Version"))

        let manifest = node.base + "/burn.yaml"
        try Self.deployment(command: "while :; do :; done").write(toFile: manifest, atomically: true, encoding: .utf8)
        #expect(node.kubectl(["apply", "-f", manifest]).output.contains("deployment.apps/burn created"))
        node.waitForKubectl(["get", "pods", "-l", "app=burn", "--no-headers"]) { $0.contains("Running") }

        // kubectl top pod: the burner uses its CPU (up to its 200m limit).
        let top = node.waitForKubectl(["top", "pod", "-l", "app=burn"], timeout: 60) { (Self.topMillicores($0, prefix: "burn-") ?? 0) >= 50 }
        #expect(top.contains("CPU(cores)") && top.contains("MEMORY(bytes)"), "\(top)")
        #expect((Self.topMillicores(top, prefix: "burn-") ?? 0) >= 50, "\(top)")
        let topNode = node.waitForKubectl(["top", "node"], timeout: 30) { $0.contains("node1") }
        #expect(topNode.contains("CPU(cores)") && topNode.contains("node1"), "\(topNode)")

        // The HPA: the burner is far above 50% of its 100m request, so up to the maximum.
        let hpaFile = node.base + "/hpa.yaml"
        try Self.autoscaler.write(toFile: hpaFile, atomically: true, encoding: .utf8)
        #expect(node.kubectl(["apply", "-f", hpaFile]).output.contains("horizontalpodautoscaler.autoscaling/burn created"))
        let scaledUp = node.waitForKubectl(["get", "hpa", "burn"], timeout: 120) { out in
            out.contains("Deployment/burn") && out.range(of: #"cpu: \d+%/50%\s+1\s+3\s+3"#, options: .regularExpression) != nil
        }
        #expect(scaledUp.contains("REFERENCE") && scaledUp.contains("TARGETS") && scaledUp.contains("MINPODS"), "\(scaledUp)")
        #expect(scaledUp.range(of: #"cpu: \d+%/50%\s+1\s+3\s+3"#, options: .regularExpression) != nil, "\(scaledUp)")
        #expect(node.kubectl(["get", "deploy", "burn", "-o", "jsonpath={.spec.replicas}"]).output == "3")
        let described = node.kubectl("describe hpa burn").output
        #expect(described.contains("SuccessfulRescale") && described.contains("New size: 3"), "\(described)")
        let conditions = node.kubectl(["get", "hpa", "burn", "-o", "jsonpath={.status.conditions[*].type}"]).output
        #expect(conditions == "AbleToScale ScalingActive ScalingLimited", "\(conditions)")

        // The load stops (the pods now sleep): after the 10 s window, back to the minimum.
        try Self.deployment(command: "sleep 3600").write(toFile: manifest, atomically: true, encoding: .utf8)
        #expect(node.kubectl(["apply", "-f", manifest]).output.contains("deployment.apps/burn configured"))
        let scaledDown = node.waitForKubectl(["get", "hpa", "burn"], timeout: 180) { out in
            out.range(of: #"cpu: \d+%/50%\s+1\s+3\s+1\s"#, options: .regularExpression) != nil
        }
        #expect(scaledDown.range(of: #"cpu: \d+%/50%\s+1\s+3\s+1\s"#, options: .regularExpression) != nil, "\(scaledDown)")
        #expect(node.kubectl(["get", "deploy", "burn", "-o", "jsonpath={.spec.replicas}"]).output == "1")
        #expect(node.kubectl("describe hpa burn").output.contains("All metrics below target"))
    }
}
