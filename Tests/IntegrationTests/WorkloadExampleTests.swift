import Foundation
import KubeAPI
import Kubelet
import Testing

/// examples/web-deployment.yaml as a user runs it: three pods serve the ConfigMap's page,
/// and an edit of the page reaches every running pod.
@Suite(.enabled(if: isRoot && ProcessInfo.processInfo.environment["SWIFTLET_PRIVATE_NS"] == "1"))
struct WorkloadExampleTests {
    @Test func webDeploymentServesItsConfigMapPage() throws {
        let node = try AgentHarness("example")
        defer { node.shutDown() }
        try node.start()
        let example = try String(contentsOfFile: packageRoot + "/examples/web-deployment.yaml", encoding: .utf8)
        try node.write("web.yaml", example)
        #expect(node.wait(60) { node.readyPods("web").count == 3 }, "\(node.agentLog)")
        let ips = node.readyPods("web").compactMap(\.status?.podIP)
        #expect(ips.count == 3)
        for ip in ips {
            #expect(node.curl("http://\(ip):8080/")?.contains("Hello from a Swiftlet Deployment") == true)
        }
        try node.write("web.yaml", example.replacingOccurrences(of: "Hello from a Swiftlet Deployment", with: "Edited page"))
        for ip in ips {
            #expect(node.wait(20) { node.curl("http://\(ip):8080/")?.contains("Edited page") == true }, "\(ip)")
        }
        // The edit touched only the ConfigMap: the same pods serve it.
        #expect(Set(node.readyPods("web").compactMap(\.status?.podIP)) == Set(ips))
    }
}
