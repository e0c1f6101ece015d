import CNI
import Foundation
import Testing

/// The bridge swiftlet-bridge creates keeps the MAC it was given: the gateway's address a
/// pod has in its ARP cache stays right as other pods' veths join and leave.
@Suite(.enabled(if: isRoot)) struct CNIBridgeMACTests {
    func mac(_ link: String, netns: String? = nil) throws -> String {
        let args = ["-o", "link", "show", link]
        let text = try netns.map { try CNIHarness.run("/usr/sbin/ip", ["-n", $0] + args).stdout }
            ?? CNIHarness.run("/usr/sbin/ip", args).stdout
        guard let range = text.range(of: "link/ether ") else { return "" }
        return String(text[range.upperBound...].prefix(17))
    }

    @Test func theGatewayMACStaysWhenPortsJoinAndLeave() throws {
        let net = try CNIBridgePluginTests.Network()
        defer { net.cleanUp() }
        let config = net.config(subnet: "10.244.7.0/24")
        var pods: [(ns: CNITestNetns, id: String)] = []
        var seen: [String] = []
        for i in 0..<3 {
            let ns = try net.netns()
            let id = "mac\(i)-" + CNIHarness.randomHex()
            let out = try CNIHarness.plugin("ADD", config: config, containerID: id, netns: ns.path)
            #expect(out.status == 0, "ADD: \(out.stdout) \(out.stderr)")
            pods.append((ns, id))
            seen.append(try mac(net.bridge))
            // Not borrowed from a port (what a bridge without an address of its own does).
            let ports = try CNIHarness.run("/usr/sbin/ip", ["-o", "link", "show", "master", net.bridge]).stdout
            #expect(!ports.contains(seen[i]), "the bridge took a port's MAC: \(ports)")
        }
        let first = seen[0]
        #expect(first.count == 17)
        // Locally administered unicast: bit 1 of the first byte set, bit 0 clear.
        let firstByte = UInt8(first.prefix(2), radix: 16) ?? 0
        #expect(firstByte & 0x03 == 0x02, "\(first)")
        #expect(seen.allSatisfy { $0 == first }, "the bridge MAC moved as ports joined: \(seen)")

        // A pod's neighbour entry for the gateway learns that MAC (a connection fills it).
        let gateway = try CNIHarness.listen(inNamespace: nil, ip: "10.244.7.1", port: 7003)
        defer { close(gateway) }
        #expect(try CNIHarness.tcpRoundTrip(from: pods[1].ns.path, to: "10.244.7.1", port: 7003, listener: gateway))
        let neigh = try CNIHarness.run("/usr/sbin/ip", ["-n", pods[1].ns.name, "neigh", "show", "10.244.7.1"]).stdout
        #expect(neigh.contains(first), "pod's neighbour entry: \(neigh)")

        for pod in pods.prefix(2) {
            let del = try CNIHarness.plugin("DEL", config: config, containerID: pod.id, netns: pod.ns.path)
            #expect(del.status == 0)
            #expect(try mac(net.bridge) == first, "the bridge MAC moved when \(pod.id) left")
        }
        _ = try CNIHarness.plugin("DEL", config: config, containerID: pods[2].id, netns: pods[2].ns.path)
    }
}
