import Foundation
import KubeAPI
import Kubelet
import Testing

/// The CNI config directory is read for each pod, as the kubelet's runtime reads it: a
/// network added or changed while the agent runs serves the next pod, and a pod is detached
/// from the network it was attached to.
@Suite(.enabled(if: isRoot && ProcessInfo.processInfo.environment["SWIFTLET_PRIVATE_NS"] == "1"))
struct PodNetworkConfigTests {
    /// A swiftlet-bridge network on its own bridge and subnet, sorting before the harness's.
    static func network(_ name: String, bridge: String, subnet: String, dataDir: String) -> String {
        """
        {"cniVersion": "1.0.0", "name": "\(name)", "plugins": [{"type": "swiftlet-bridge", "bridge": "\(bridge)",
          "isGateway": true, "ipam": {"type": "host-local", "ranges": [[{"subnet": "\(subnet)"}]], "dataDir": "\(dataDir)"}}]}
        """
    }

    @Test func networkAddedOrChangedAfterStartServesTheNextPod() throws {
        let node = try AgentHarness("cniconf")
        defer { node.shutDown() }
        try node.start()
        try node.write("first.yaml", TestManifests.sleeperPod("first"))
        #expect(node.wait(60) { node.running("first") }, "\(node.agentLog)")
        let prefix = { (subnet: String) in String(subnet.dropLast("0/24".count)) }
        #expect(node.pod("first")?.status?.podIP?.hasPrefix(prefix(node.subnet)) == true)

        // A network added after the start, first in lexical order: the next pod is on it.
        let octets = node.subnet.split(separator: ".")
        let added = "10.\(Int(octets[1])! + 30).\(octets[2]).0/24"
        let file = node.base + "/cni/05-added.conflist"
        try Self.network("added", bridge: node.bridge + "a", subnet: added, dataDir: node.base + "/ipam").write(toFile: file, atomically: true, encoding: .utf8)
        try node.write("second.yaml", TestManifests.sleeperPod("second"))
        #expect(node.wait(60) { node.running("second") }, "\(node.agentLog)")
        #expect(node.pod("second")?.status?.podIP?.hasPrefix(prefix(added)) == true, "\(String(describing: node.pod("second")?.status?.podIP))")
        #expect(node.ip("-o", "link", "show", "master", node.bridge + "a").contains("veth"))

        // The same file changed: the pod after is on the changed network.
        let changed = "10.\(Int(octets[1])! + 40).\(octets[2]).0/24"
        try Self.network("added", bridge: node.bridge + "c", subnet: changed, dataDir: node.base + "/ipam").write(toFile: file, atomically: true, encoding: .utf8)
        try node.write("third.yaml", TestManifests.sleeperPod("third"))
        #expect(node.wait(60) { node.running("third") }, "\(node.agentLog)")
        #expect(node.pod("third")?.status?.podIP?.hasPrefix(prefix(changed)) == true, "\(String(describing: node.pod("third")?.status?.podIP))")

        // Each pod leaves the network it joined: the first pod's IP goes back to its own
        // network although another one is now the default.
        for name in ["first", "second", "third"] { node.remove(name + ".yaml") }
        #expect(node.wait(60) { node.pods().isEmpty }, "\(node.agentLog)")
        let ipam = node.base + "/ipam"
        for network in [node.bridge, "added"] {
            let held = ((try? FileManager.default.contentsOfDirectory(atPath: ipam + "/" + network)) ?? []).filter { $0.first?.isNumber == true }
            #expect(held.isEmpty, "\(network) still holds \(held)")
        }
        for bridge in [node.bridge, node.bridge + "a", node.bridge + "c"] {
            #expect(!node.ip("-o", "link", "show", "master", bridge).contains("veth"), "veths left on \(bridge)")
        }
    }
}
