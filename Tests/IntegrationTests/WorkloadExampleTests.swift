import Foundation
import KubeAPI
import Kubelet
import Testing

/// examples/web-deployment.yaml as a user runs it: three pods serve the ConfigMap's page,
/// also through the Service's VIP, and an edit of the page reaches every running pod.
@Suite(.enabled(if: isRoot && ProcessInfo.processInfo.environment["SWIFTLET_PRIVATE_NS"] == "1"))
struct WorkloadExampleTests {
    @Test func webDeploymentServesItsConfigMapPage() throws {
        let node = try AgentHarness("example")
        defer { node.shutDown() }
        try node.start()
        let example = try String(contentsOfFile: packageRoot + "/examples/web-deployment.yaml", encoding: .utf8)
        try node.write("web.yaml", example)
        #expect(node.wait(60) { node.readyPods("hello").count == 3 }, "\(node.agentLog)")
        let ips = node.readyPods("hello").compactMap(\.status?.podIP)
        #expect(ips.count == 3)
        for ip in ips {
            #expect(node.curl("http://\(ip):8080/")?.contains("Hello from a Swiftlet Deployment") == true)
        }
        // Through its Service: the VIP on port 80, as `get svc` and `get ep` show it.
        #expect(node.wait(20) { node.cli(["get", "ep", "hello"]).output.components(separatedBy: ":8080").count == 4 }, "\(node.cli(["get", "ep"]).output)")
        guard case .service(let service) = node.object("Service", "hello"), let vip = service.spec.clusterIP else {
            Issue.record("no Service hello: \(node.agentLog)")
            return
        }
        let svc = node.cli(["get", "svc", "hello"]).output
        #expect(svc.contains("hello   ClusterIP   \(vip)"))
        // Its age counts from when the agent first served it.
        #expect(svc.range(of: #"80/TCP\s+\d+s\n"#, options: .regularExpression) != nil, "\(svc)")
        #expect(node.wait(20) { node.curl("http://\(vip)/")?.contains("Hello from a Swiftlet Deployment") == true })
        try node.write("web.yaml", example.replacingOccurrences(of: "Hello from a Swiftlet Deployment", with: "Edited page"))
        for ip in ips {
            #expect(node.wait(20) { node.curl("http://\(ip):8080/")?.contains("Edited page") == true }, "\(ip)")
        }
        // The edit touched only the ConfigMap: the same pods serve it.
        #expect(Set(node.readyPods("hello").compactMap(\.status?.podIP)) == Set(ips))
    }
}
