import Foundation
import Testing

@testable import KubeProxy

/// The nftables proxy backend against the real kernel: NFTablesGenerator's table applied over
/// netlink by NFTablesApplier in a private node namespace, checked by what HTTP clients get
/// through the Service addresses and by `nft list`.
@Suite(.enabled(if: isRoot), .serialized)
struct NFTablesProxyIntegrationTests {
    static let vip = KubeProxyTestNode.webVIP
    let generator = NFTablesGenerator(options: ProxyOptions(clusterCIDR: "10.244.0.0/16"))
    let web = ServiceName(namespace: "default", name: "web")

    @discardableResult
    func apply(_ applier: NFTablesApplier, _ services: [ServiceInfo], _ eps: [ServiceName: [EndpointInfo]]) throws -> ProxySyncResult {
        let generated = generator.generate(services: services, endpoints: eps)
        #expect(generated.problems.isEmpty)
        return try applier.sync(generated.ruleset)
    }

    func makeApplier(_ node: KubeProxyTestNode) -> NFTablesApplier {
        NFTablesApplier(transport: NetlinkNFTables(networkNamespace: node.node))
    }

    @Test func clusterIPAndNodePortReachEveryReadyPod() throws {
        let node = try KubeProxyTestNode(pods: ["pod-a", "pod-b", "pod-c"])
        defer { node.destroy() }
        let applier = makeApplier(node)
        defer { try? applier.cleanup() }
        #expect(try apply(applier, [webService(.nodePort, nodePort: 30080)], [web: endpoints(node)]).kind == .full)

        let listed = try node.inNode("nft list ruleset").output
        #expect(listed.contains("10.96.0.20 . tcp . 80 : goto service-"), "\(listed)")
        #expect(listed.contains("numgen random mod 3 0 goto endpoint-"), "\(listed)")  // nft elides "=="

        #expect(Set(try node.fetch("http://\(Self.vip)/", count: 60)) == ["pod-a", "pod-b", "pod-c"])
        #expect(Set(try node.fetch(fromPod: "pod-c", "http://\(Self.vip)/", count: 60)) == ["pod-a", "pod-b", "pod-c"])
        #expect(Set(try node.fetch("http://\(KubeProxyTestNode.nodeIP):30080/", count: 60)) == ["pod-a", "pod-b", "pod-c"])

        // pod-b stops being ready: an incremental sync drops it.
        #expect(try apply(applier, [webService(.nodePort, nodePort: 30080)], [web: endpoints(node, notReady: ["pod-b"])]).kind == .incremental)
        #expect(Set(try node.fetch("http://\(Self.vip)/", count: 60)) == ["pod-a", "pod-c"])
    }

    @Test func affinityPinsAClientAndAPodReachesItself() throws {
        let node = try KubeProxyTestNode(pods: ["pod-a", "pod-b", "pod-c"])
        defer { node.destroy() }
        let applier = makeApplier(node)
        defer { try? applier.cleanup() }
        let sticky = ServiceName(namespace: "default", name: "sticky")
        let onlyA = [EndpointInfo(ip: node.pods[0].ip, ports: ["http": 80])]
        try apply(applier, [webService(), webService(affinity: .clientIP(timeoutSeconds: 600), name: "sticky", vip: "10.96.0.21")],
                  [web: onlyA, sticky: endpoints(node)])
        let pinned = try node.fetch("http://10.96.0.21/", count: 30)
        #expect(Set(pinned).count == 1 && !pinned.contains("failed"), "\(pinned)")
        // Hairpin: DNAT back to the sender, masqueraded so the reply returns through the node.
        #expect(try node.fetch(fromPod: "pod-a", "http://\(Self.vip)/", count: 5) == Array(repeating: "pod-a", count: 5))
    }

    @Test func removedServicesLeaveNothingAndCleanupDeletesTheTables() throws {
        let node = try KubeProxyTestNode(pods: ["pod-a"])
        defer { node.destroy() }
        let applier = makeApplier(node)
        let empty = ServiceName(namespace: "default", name: "empty")
        try apply(applier, [webService(), webService(name: "empty", vip: "10.96.0.22")], [web: endpoints(node), empty: []])
        #expect(try node.fetch("http://\(Self.vip)/", count: 3) == ["pod-a", "pod-a", "pod-a"])
        #expect(try node.curlStatus("http://10.96.0.22/") == 7, "a Service without endpoints refuses connections")

        // web was its shard's only Service: the shard table goes with it.
        #expect(try apply(applier, [webService(name: "empty", vip: "10.96.0.22")], [empty: []]).kind == .incremental)
        #expect(try node.inNode("nft list tables").output == "table ip kube-proxy\n")
        let listed = try node.inNode("nft list ruleset").output
        #expect(!listed.contains("default/web") && !listed.contains("10.96.0.20"), "\(listed)")
        #expect(try node.curlStatus("http://\(Self.vip)/") != 0)

        // A new applier (an agent restart) starts clean: it replaces the table in full.
        let restarted = makeApplier(node)
        #expect(try apply(restarted, [webService()], [web: endpoints(node)]).kind == .full)
        #expect(try node.fetch("http://\(Self.vip)/", count: 2) == ["pod-a", "pod-a"])

        try restarted.cleanup()
        #expect(try node.inNode("nft list tables").output.isEmpty)
        try restarted.cleanup()  // idempotent: no table is not an error
    }

    @Test func aFailedTransactionNamesTheObjectAndChangesNothing() throws {
        let node = try KubeProxyTestNode(pods: [])
        defer { node.destroy() }
        let applier = makeApplier(node)
        defer { try? applier.cleanup() }
        var ruleset = generator.generate(services: [], endpoints: [:]).ruleset
        ruleset.main.chains.append(NFTChain(name: "broken", rules: [NFTRule(.jump("no-such-chain"))]))
        #expect {
            try applier.sync(ruleset)
        } throws: { error in
            "\(error)".contains("table ip kube-proxy: add rule broken") && "\(error)".contains("No such file or directory")
        }
        #expect(try node.inNode("nft list tables").output.isEmpty)
    }
}
