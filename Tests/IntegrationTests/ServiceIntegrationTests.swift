import Foundation
import KubeAPI
import Kubelet
import Testing

/// Issue #5: Services through the node's own netfilter and the cluster DNS, with real pods.
@Suite(.enabled(if: isRoot && ProcessInfo.processInfo.environment["SWIFTLET_PRIVATE_NS"] == "1"))
struct ServiceIntegrationTests {
    /// A pod labelled app=web serving its own name on port 80.
    /// A pod labelled app=web serving its own name on port 80; an unready one probes a port
    /// nothing listens on.
    static func webPod(_ name: String, ready: Bool = true) -> String {
        TestManifests.pod(name, labels: ["app": "web"], containers: TestManifests.container(
            "web", command: ["sh", "-c", "echo \(name) > /www/index.html && exec httpd -f -p 80 -h /www"],
            "ports: [{name: http, containerPort: 80}]", TestManifests.httpReadiness(port: ready ? "http" : "8999")))
    }

    static let client = TestManifests.sleeperPod("client", labels: [:])

    /// A Service over the app=web pods, port 80 to their port `http`.
    static func service(_ name: String, type: String = "ClusterIP", nodePort: Int? = nil, sessionAffinity: String? = nil) -> String {
        TestManifests.service(name, selector: ["app": "web"], type: type, nodePort: nodePort, sessionAffinity: sessionAffinity)
    }

    func startWeb(_ node: AgentHarness, pods: [String] = ["web-a", "web-b", "web-c"]) throws {
        try node.start()
        try node.write("web.yaml", TestManifests.documents(pods.map { Self.webPod($0) }))
        try node.write("svc.yaml", Self.service("web"))
        for pod in pods {
            #expect(node.wait(30) { node.status(pod, "web")?.ready == true }, "\(pod) not ready:\n\(node.agentLog)")
        }
    }

    func clusterIP(_ node: AgentHarness, _ name: String) -> String? {
        guard let data = FileManager.default.contents(atPath: node.root + "/objects/services/default/\(name).json"),
              let service = try? JSONDecoder().decode(Service.self, from: data) else { return nil }
        return service.spec.clusterIP
    }

    func endpointIPs(_ node: AgentHarness, _ name: String) -> (ready: Set<String>, notReady: Set<String>) {
        guard let data = FileManager.default.contents(atPath: node.root + "/objects/endpoints/default/\(name).json"),
              let endpoints = try? JSONDecoder().decode(Endpoints.self, from: data) else { return ([], []) }
        let subsets = endpoints.subsets ?? []
        return (Set(subsets.flatMap { $0.addresses ?? [] }.map(\.ip)), Set(subsets.flatMap { $0.notReadyAddresses ?? [] }.map(\.ip)))
    }

    @Test func virtualIPSpreadsOverReadyPodsFromNodeAndPodAndByName() throws {
        let node = try AgentHarness("svc-vip")
        defer { node.shutDown() }
        try startWeb(node)
        try node.write("client.yaml", Self.client)
        try node.write("unready.yaml", Self.webPod("unready", ready: false))
        #expect(node.wait { node.running("client") && node.running("unready") })
        let vip = try #require(clusterIP(node, "web"))
        #expect(vip.hasPrefix("10.96."))
        #expect(node.wait(10) { endpointIPs(node, "web").ready.count == 3 })
        #expect(node.wait(10) { endpointIPs(node, "web").notReady.count == 1 }, "the unready pod is listed as not ready")

        var seen: [String: Int] = [:]
        for _ in 0..<60 {
            if let body = node.curl("http://\(vip)/") { seen[body.trimmingCharacters(in: .whitespacesAndNewlines), default: 0] += 1 }
        }
        #expect(Set(seen.keys) == ["web-a", "web-b", "web-c"], "the unready pod gets nothing: \(seen)")
        #expect(seen.values.reduce(0, +) == 60, "every request answered: \(seen)")

        let fromPod = node.cli(["exec", "client", "--", "sh", "-c", "for i in $(seq 1 60); do wget -q -O- http://\(vip)/; done"])
        #expect(Set(fromPod.output.split(separator: "\n").map(String.init)) == ["web-a", "web-b", "web-c"], "\(fromPod.output)")

        // By name, through the cluster DNS in the pod's resolv.conf.
        for name in ["web", "web.default.svc.cluster.local"] {
            let byName = node.cli(["exec", "client", "--", "wget", "-q", "-O-", "http://\(name)/"])
            #expect(byName.status == 0 && ["web-a\n", "web-b\n", "web-c\n"].contains(byName.output), "\(name): \(byName.output)")
        }
        #expect(node.cli(["exec", "client", "--", "cat", "/etc/resolv.conf"]).output.contains("nameserver 10.96.0.10"))
    }

    @Test func deletedPodLeavesTheEndpoints() throws {
        let node = try AgentHarness("svc-delete")
        defer { node.shutDown() }
        try node.start()
        try node.write("a.yaml", Self.webPod("web-a"))
        try node.write("b.yaml", Self.webPod("web-b"))
        try node.write("svc.yaml", Self.service("web"))
        #expect(node.wait(30) { endpointIPs(node, "web").ready.count == 2 }, "\(node.agentLog)")
        let ipB = try #require(node.pod("web-b")?.status?.podIP)
        node.remove("b.yaml")
        #expect(node.wait(5) { !endpointIPs(node, "web").ready.contains(ipB) })
        let vip = try #require(clusterIP(node, "web"))
        for _ in 0..<20 { #expect(node.curl("http://\(vip)/") == "web-a\n") }
    }

    @Test func nodePortAffinityAndHairpin() throws {
        let node = try AgentHarness("svc-nodeport")
        defer { node.shutDown() }
        try startWeb(node)
        try node.write("np.yaml", Self.service("web-np", type: "NodePort", nodePort: 30080))
        try node.write("sticky.yaml", Self.service("web-sticky", sessionAffinity: "ClientIP"))
        #expect(node.wait(10) { clusterIP(node, "web-np") != nil && clusterIP(node, "web-sticky") != nil })
        Thread.sleep(forTimeInterval: 1.5)
        // NodePort on the node's address.
        let body = node.curl("http://\(node.gateway):30080/")
        #expect(["web-a\n", "web-b\n", "web-c\n"].contains(body ?? ""), "NodePort answered \(body ?? "nothing")")
        // ClientIP affinity pins this client to one pod.
        let sticky = try #require(clusterIP(node, "web-sticky"))
        let answers = Set((0..<20).compactMap { _ in node.curl("http://\(sticky)/") })
        #expect(answers.count == 1, "\(answers)")
        // A pod reaches itself through its own Service (hairpin): every request answered.
        let vip = try #require(clusterIP(node, "web"))
        let hairpin = node.cli(["exec", "web-a", "--", "sh", "-c", "for i in $(seq 1 30); do wget -q -O- http://\(vip)/ || echo FAIL; done"])
        #expect(!hairpin.output.contains("FAIL") && hairpin.output.contains("web-a"), "\(hairpin.output)")
    }

    @Test func removedServiceLeavesNoRuleAndCleanupRestoresTheTables() throws {
        let node = try AgentHarness("svc-cleanup")
        defer { node.shutDown() }
        let before = saveTables(node)
        try startWeb(node, pods: ["web-a"])
        try node.write("gone.yaml", Self.service("gone"))
        #expect(node.wait(10) { saveTables(node).contains("default/gone:http") })
        node.remove("gone.yaml")
        #expect(node.wait(10) { !saveTables(node).contains("default/gone") })
        #expect(saveTables(node).contains("default/web:http"))
        node.stop()
        _ = node.cli(["reset"])
        #expect(node.cli(["proxy", "--cleanup"]).status == 0)
        #expect(saveTables(node) == before)
    }

    /// `--proxy-mode nftables`: the same Service through its VIP (from the node and from a pod)
    /// and its NodePort, programmed over netlink into tables `ip kube-proxy*`; `swiftlet proxy
    /// --cleanup` deletes them.
    @Test func nftablesModeServesTheVIPAndNodePort() throws {
        let node = try AgentHarness("svc-nft")
        defer { node.shutDown() }
        node.extraArguments = ["--proxy-mode", "nftables"]
        try startWeb(node)
        try node.write("client.yaml", Self.client)
        try node.write("np.yaml", Self.service("web-np", type: "NodePort", nodePort: 30081))
        #expect(node.wait { node.running("client") })
        let vip = try #require(clusterIP(node, "web"))
        #expect(node.wait(10) { endpointIPs(node, "web").ready.count == 3 && clusterIP(node, "web-np") != nil })
        #expect(node.wait(10) { nftRuleset(node).contains("\(vip) . tcp . 80 : goto service-") }, "\(node.agentLog)")
        #expect(!saveTables(node).contains("KUBE-SERVICES"), "no iptables rules in nftables mode")

        let fromNode = Set((0..<60).compactMap { _ in node.curl("http://\(vip)/")?.trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(fromNode == ["web-a", "web-b", "web-c"])
        let fromPod = node.cli(["exec", "client", "--", "sh", "-c", "for i in $(seq 1 60); do wget -q -O- http://\(vip)/; done"])
        #expect(Set(fromPod.output.split(separator: "\n").map(String.init)) == ["web-a", "web-b", "web-c"], "\(fromPod.output)")
        #expect(node.wait(10) { ["web-a\n", "web-b\n", "web-c\n"].contains(node.curl("http://\(node.gateway):30081/") ?? "") })

        node.stop()
        _ = node.cli(["reset"])
        #expect(node.cli(["proxy", "--cleanup"]).status == 0)
        #expect(nftRuleset(node).isEmpty)
    }

    /// The proxy's nf_tables tables in the node (`ip kube-proxy*`, as `nft list` prints them);
    /// "" when there are none.
    func nftRuleset(_ node: AgentHarness) -> String {
        func nft(_ args: [String]) -> String {
            var output = Data()
            guard node.inNode("/usr/sbin/nft", args, output: &output) == 0 else { return "" }
            return String(decoding: output, as: UTF8.self)
        }
        return nft(["list", "tables"]).split(separator: "\n").filter { $0.hasPrefix("table ip kube-proxy") }
            .map { nft(["list"] + $0.split(separator: " ").map(String.init)) }.joined()
    }

    /// The nat and filter tables of the node, without counters and comments of dates.
    func saveTables(_ node: AgentHarness) -> String {
        ["nat", "filter"].map { table -> String in
            var output = Data()
            node.inNode("/usr/sbin/iptables-save", ["-t", table], output: &output)
            return String(decoding: output, as: UTF8.self).split(separator: "\n")
                .filter { !$0.hasPrefix("#") }
                .map { $0.replacingOccurrences(of: #"\[\d+:\d+\]"#, with: "", options: .regularExpression) }
                .joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
