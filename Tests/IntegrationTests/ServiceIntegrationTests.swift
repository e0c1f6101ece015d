import Foundation
import KubeAPI
import Kubelet
import Testing

/// Issue #5: Services through the node's own netfilter and the cluster DNS, with real pods.
@Suite(.enabled(if: isRoot && ProcessInfo.processInfo.environment["SWIFTLET_PRIVATE_NS"] == "1"))
struct ServiceIntegrationTests {
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

    /// The Service as the agent published it for the CLI.
    func publishedService(_ node: AgentHarness, _ name: String) -> Service? {
        FileManager.default.contents(atPath: node.root + "/objects/services/default/\(name).json")
            .flatMap { try? JSONDecoder().decode(Service.self, from: $0) }
    }

    func clusterIP(_ node: AgentHarness, _ name: String) -> String? { publishedService(node, name)?.spec.clusterIP }

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

    /// Also: the ClusterIP outlives an agent restart, and a Service asking for a taken one is
    /// refused on one line naming its file.
    @Test func deletedPodLeavesTheEndpointsAndTheVIPOutlivesARestart() throws {
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

        node.stop()
        try node.start()
        try node.write("taken.yaml", TestManifests.service("taken", selector: ["app": "web"]) + "\n  clusterIP: \(vip)")
        #expect(node.wait(10) { node.agentLog.contains(
            "taken.yaml: Service default/taken: spec.clusterIP: Invalid value: \"\(vip)\": provided IP is already allocated") }, "\(node.agentLog)")
        #expect(clusterIP(node, "web") == vip)
        #expect(node.wait(10) { node.curl("http://\(vip)/") == "web-a\n" })
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

    /// A pod labelled app=udp answering every datagram on its port `echo` (5300/UDP) with its name.
    static func udpPod(_ name: String) -> String {
        TestManifests.pod(name, labels: ["app": "udp"], containers: TestManifests.container(
            "echo", command: ["udptool", "serve", "5300", name], "ports: [{name: echo, containerPort: 5300, protocol: UDP}]"))
    }

    static let udpService = """
        apiVersion: v1
        kind: Service
        metadata: {name: echo}
        spec:
          selector: {app: udp}
          ports: [{name: echo, protocol: UDP, port: 53, targetPort: echo}]
        """

    static let headlessService = """
        apiVersion: v1
        kind: Service
        metadata: {name: web-headless}
        spec:
          clusterIP: None
          selector: {app: web}
          ports: [{name: http, port: 80, targetPort: http}]
        """

    /// A LoadBalancer answers on its ingress, the node's IP; a UDP Service spreads datagrams over
    /// its pods through a named targetPort; a headless Service resolves to the ready pods' IPs;
    /// `get svc -o wide` and `get ep -o json` show them.
    @Test func loadBalancerUDPAndHeadlessServices() throws {
        let node = try AgentHarness("svc-kinds")
        defer { node.shutDown() }
        try startWeb(node)
        try node.write("client.yaml", Self.client)
        try node.write("udp.yaml", TestManifests.documents([Self.udpPod("udp-a"), Self.udpPod("udp-b"), Self.udpService]))
        try node.write("lb.yaml", Self.service("web-lb", type: "LoadBalancer"))
        try node.write("headless.yaml", Self.headlessService)
        #expect(node.wait { node.running("client") && node.running("udp-a") && node.running("udp-b") }, "\(node.agentLog)")
        #expect(node.wait(10) { endpointIPs(node, "echo").ready.count == 2 && endpointIPs(node, "web-headless").ready.count == 3 })

        // LoadBalancer, as k3s's ServiceLB: a NodePort plus the node's IP as its ingress.
        #expect(node.wait(10) { publishedService(node, "web-lb")?.status?.loadBalancer?.ingress?.first?.ip == node.gateway })
        let nodePort = try #require(publishedService(node, "web-lb")?.spec.ports?.first?.nodePort)
        #expect((30000...32767).contains(nodePort))
        for url in ["http://\(node.gateway)/", "http://\(node.gateway):\(nodePort)/"] {
            #expect(node.wait(10) { ["web-a\n", "web-b\n", "web-c\n"].contains(node.curl(url) ?? "") }, "\(url): \(node.agentLog)")
        }
        let wide = node.cli(["get", "svc", "-o", "wide"]).output
        let lbRow = wide.split(separator: "\n").first { $0.hasPrefix("web-lb ") } ?? ""
        #expect(lbRow.contains(" LoadBalancer ") && lbRow.contains(" \(node.gateway) ") && lbRow.contains(" 80:\(nodePort)/TCP ")
                && lbRow.hasSuffix(" app=web"), "\(wide)")
        let headlessRow = wide.split(separator: "\n").first { $0.hasPrefix("web-headless ") } ?? ""
        #expect(headlessRow.contains(" ClusterIP ") && headlessRow.contains(" None "), "\(wide)")

        // UDP: every datagram to the VIP answered, by both pods.
        let vip = try #require(clusterIP(node, "echo"))
        let udptool = ImageFixtures.testImage + "/bundle/rootfs/bin/udptool"
        let answers = (0..<40).map { _ -> String in
            var output = Data()
            return node.inNode(udptool, ["ask", vip, "53"], output: &output) == 0 ? String(decoding: output, as: UTF8.self) : "none"
        }
        #expect(Set(answers) == ["udp-a\n", "udp-b\n"], "\(answers)")

        // Headless: DNS names the ready pods themselves.
        let podIPs = Set(["web-a", "web-b", "web-c"].compactMap { node.pod($0)?.status?.podIP })
        let lookup = node.cli(["exec", "client", "--", "nslookup", "web-headless.default.svc.cluster.local"]).output
        let resolved = Set(lookup.split(separator: "\n").filter { $0.hasPrefix("Address: ") }.map { String($0.dropFirst("Address: ".count)) })
        #expect(podIPs.count == 3 && resolved == podIPs, "\(lookup)")

        // `get ep -o json` is a v1 List of Endpoints.
        let json = try #require(node.cli(["get", "ep", "-o", "json"]).output.data(using: .utf8))
        let list = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(list["kind"] as? String == "List" && list["apiVersion"] as? String == "v1")
        let items = list["items"] as? [[String: Any]] ?? []
        #expect(items.allSatisfy { $0["kind"] as? String == "Endpoints" })
        let names = Set(items.compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String })
        #expect(names.isSuperset(of: ["web", "web-lb", "web-headless", "echo"]), "\(names)")
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
