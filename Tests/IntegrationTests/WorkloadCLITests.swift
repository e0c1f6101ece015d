import Foundation
import KubeAPI
import Kubelet
import Testing

/// Issue #6 §6: the CLI over workloads (`get all`, `-o json` Lists, describe, namespaces),
/// and workloads surviving an agent restart without duplicate pods.
@Suite(.enabled(if: isRoot && ProcessInfo.processInfo.environment["SWIFTLET_PRIVATE_NS"] == "1"))
struct WorkloadCLITests {
    @Test func getAllJsonAndDescribeThenAnAgentRestartAdoptsThePods() throws {
        let node = try AgentHarness("wlcli")
        defer { node.shutDown() }
        try node.start()
        try node.write("api.yaml", TestManifests.deployment("api", replicas: 2))
        #expect(node.wait(60) { node.runningPods("api").count == 2 }, "\(node.agentLog)")
        #expect(node.wait(10) { node.cli(["get", "deploy"]).output.contains("2/2") })

        let all = node.cli(["get", "all"]).output
        #expect(all.contains("pod/api-") && all.contains("deployment.apps/api   2/2") && all.contains("replicaset.apps/api-"), "\(all)")
        let json = node.cli(["get", "deployments", "-o", "json"]).output
        let list = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(list?["kind"] as? String == "List" && list?["apiVersion"] as? String == "v1")
        let items = list?["items"] as? [[String: Any]] ?? []
        #expect(items.count == 1 && items.first?["kind"] as? String == "Deployment")
        #expect((items.first?["status"] as? [String: Any])?["readyReplicas"] as? Int == 2)
        let wide = node.cli(["get", "deploy", "-o", "wide"]).output
        #expect(wide.contains("CONTAINERS   IMAGES    SELECTOR") && wide.contains("main         busybox   app=api"), "\(wide)")
        let rsName = try #require(node.ownedPods("api").first?.metadata.ownerReferences?.first?.name)
        let rs = node.cli(["describe", "rs", rsName]).output
        #expect(rs.contains("Controlled By:          Deployment/api") && rs.contains("SuccessfulCreate"), "\(rs)")
        #expect(node.cli(["get", "ns"]).output.contains("default   Active"))
        #expect(node.cli(["get", "nosuchthing"]).status != 0)
        #expect(node.cli(["describe", "deployment", "nope"]).status != 0)

        // The agent stops; the pods run on; a new agent adopts them without creating more.
        let uids = Set(node.ownedPods("api").compactMap(\.metadata.uid))
        node.stop()
        try node.start()
        #expect(node.wait(20) { node.agentLog.components(separatedBy: "adopting pod default/api-").count == 3 })
        Thread.sleep(forTimeInterval: 3)
        #expect(Set(node.ownedPods("api").compactMap(\.metadata.uid)) == uids)
        #expect(node.runningPods("api").count == 2)
        #expect(node.cli(["get", "pods"]).output.split(separator: "\n").count == 3)
    }
}
