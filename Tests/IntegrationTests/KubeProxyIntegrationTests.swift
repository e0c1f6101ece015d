import Foundation
import Testing

@testable import KubeProxy

/// The proxy against the real kernel: rules from RuleGenerator applied by ProxyApplier in a
/// private node namespace, checked by what HTTP clients get through the Service addresses.
@Suite(.enabled(if: isRoot), .serialized)
struct KubeProxyIntegrationTests {
    static let vip = KubeProxyTestNode.webVIP
    let generator = RuleGenerator(options: ProxyOptions(clusterCIDR: "10.244.0.0/16"))
    let web = ServiceName(namespace: "default", name: "web")

    func apply(_ applier: ProxyApplier, _ services: [ServiceInfo], _ eps: [ServiceName: [EndpointInfo]]) throws -> ProxySyncResult {
        let generated = generator.generate(services: services, endpoints: eps)
        #expect(generated.problems.isEmpty)
        return try applier.sync(generated.ruleset)
    }

    @Test func clusterIPReachesEveryReadyPodFromTheNodeAndFromAPod() throws {
        let node = try KubeProxyTestNode(pods: ["pod-a", "pod-b", "pod-c"])
        defer { node.destroy() }
        let applier = ProxyApplier(executor: node.iptables)
        defer { try? applier.cleanup() }
        #expect(try apply(applier, [webService()], [web: endpoints(node)]).kind == .full)

        let fromNode = try node.fetch("http://\(Self.vip)/", count: 60)
        #expect(Set(fromNode) == ["pod-a", "pod-b", "pod-c"])
        // Pod to Service to another pod on the same bridge: replies are un-DNATed only because
        // bridged traffic passes through iptables (br_netfilter, on by default in a new namespace).
        let fromPod = try node.fetch(fromPod: "pod-c", "http://\(Self.vip)/", count: 60)
        #expect(Set(fromPod) == ["pod-a", "pod-b", "pod-c"])

        // pod-b stops being ready: an incremental sync drops it.
        #expect(try apply(applier, [webService()], [web: endpoints(node, notReady: ["pod-b"])]).kind == .incremental)
        #expect(Set(try node.fetch("http://\(Self.vip)/", count: 60)) == ["pod-a", "pod-c"])
    }

    @Test func nodePortAnswersOnTheNodeIPAndAffinityPinsAClient() throws {
        let node = try KubeProxyTestNode(pods: ["pod-a", "pod-b", "pod-c"])
        defer { node.destroy() }
        let applier = ProxyApplier(executor: node.iptables)
        defer { try? applier.cleanup() }
        let sticky = ServiceName(namespace: "default", name: "sticky")
        try apply(applier, [
            webService(.nodePort, nodePort: 30080),
            webService(affinity: .clientIP(timeoutSeconds: 600), name: "sticky", vip: "10.96.0.21"),
        ], [web: endpoints(node), sticky: endpoints(node)])

        let viaNodePort = try node.fetch("http://\(KubeProxyTestNode.nodeIP):30080/", count: 60)
        #expect(Set(viaNodePort) == ["pod-a", "pod-b", "pod-c"])
        let pinned = try node.fetch("http://10.96.0.21/", count: 30)
        #expect(Set(pinned).count == 1 && !pinned.contains("failed"), "\(pinned)")
    }

    @Test func aPodReachesItselfThroughItsService() throws {
        let node = try KubeProxyTestNode(pods: ["pod-a", "pod-b"])
        defer { node.destroy() }
        let applier = ProxyApplier(executor: node.iptables)
        defer { try? applier.cleanup() }
        let onlyA = [EndpointInfo(ip: node.pods[0].ip, ports: ["http": 80])]
        try apply(applier, [webService()], [web: onlyA])
        // Hairpin: DNAT back to the sender, masqueraded so the reply returns through the node.
        #expect(try node.fetch(fromPod: "pod-a", "http://\(Self.vip)/", count: 5) == Array(repeating: "pod-a", count: 5))
    }

    @Test func removedServicesLeaveNoRulesAndCleanupRestoresTheTables() throws {
        let node = try KubeProxyTestNode(pods: ["pod-a"])
        defer { node.destroy() }
        // The node's own rules, which the proxy must leave alone.
        try node.inNode("iptables -t nat -A POSTROUTING -s 10.244.0.0/16 ! -o br0 -j MASQUERADE && iptables -A INPUT -i lo -j ACCEPT")
        let before = try node.savedTables()
        let applier = ProxyApplier(executor: node.iptables)

        let empty = ServiceName(namespace: "default", name: "empty")
        try apply(applier, [webService(.nodePort, nodePort: 30080), webService(name: "empty", vip: "10.96.0.22")],
                  [web: endpoints(node), empty: []])
        #expect(try node.fetch("http://\(Self.vip)/", count: 3) == ["pod-a", "pod-a", "pod-a"])
        #expect(try node.curlStatus("http://10.96.0.22/") == 7, "a Service without endpoints refuses connections")
        let webChain = KubeChains.serviceChain("default/web:http", .tcp)
        #expect(try node.savedTables().contains(webChain))

        // Removing the Service removes its chains and every rule that names it.
        let result = try apply(applier, [webService(name: "empty", vip: "10.96.0.22")], [empty: []])
        #expect(result.kind == .incremental && result.chainsDeleted == 3)
        let after = try node.savedTables()
        #expect(!after.contains(webChain) && !after.contains("default/web") && !after.contains("KUBE-SEP-"))
        #expect(try node.curlStatus("http://\(Self.vip)/") != 0)
        _ = empty

        try applier.cleanup()
        #expect(try node.savedTables() == before)
    }

    @Test func bridgeNetfilterIsOnInThisNamespace() throws {
        let bridge = BridgeNetfilter()
        let outcome = try bridge.enable()
        #expect(bridge.isEnabled())
        #expect(outcome == .enabled, "br_netfilter is built in or loaded on this host")
    }
}
