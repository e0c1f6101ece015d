import CNI
import Foundation
import NetAddress
import Testing

/// swiftlet-bridge run as a CNI runtime runs it: exec, CNI_* env, config on stdin.
@Suite(.enabled(if: isRoot)) struct CNIBridgePluginTests {
    /// One network under test: its own bridge, IPAM dir and namespaces, all removed after.
    final class Network {
        let name = "cnit-" + CNIHarness.randomHex()
        let bridge = "cnit" + CNIHarness.randomHex()
        let dataDir: String
        var namespaces: [CNITestNetns] = []

        init() throws { dataDir = try CNIHarness.tempDir("cni-ipam") }

        func config(
            subnet: String, extra: String = #""isGateway":true,"ipMasq":true,"#, rangeStart: String? = nil,
            rangeEnd: String? = nil
        ) -> String {
            CNIHarness.bridgeConfig(
                name: name, bridge: bridge, subnet: subnet, dataDir: dataDir, extra: extra,
                rangeStart: rangeStart, rangeEnd: rangeEnd)
        }

        func netns() throws -> CNITestNetns {
            let ns = try CNITestNetns()
            namespaces.append(ns)
            return ns
        }

        var ipFiles: [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: "\(dataDir)/\(name)")) ?? [])
                .filter { IPv4Address($0) != nil }.sorted()
        }

        func cleanUp() {
            namespaces.forEach { $0.remove() }
            _ = try? CNIHarness.ip("link", "del", bridge)
            try? FileManager.default.removeItem(atPath: dataDir)
        }
    }

    @Test func threeNamespacesGetDistinctAddressesAndReachEachOtherAndTheGatewayOverTCP() throws {
        let net = try Network()
        defer { net.cleanUp() }
        let config = net.config(subnet: "10.244.0.0/24", extra: #""isDefaultGateway":true,"ipMasq":true,"#)
        var pods: [(ns: CNITestNetns, ip: String, id: String)] = []
        for i in 0..<3 {
            let ns = try net.netns()
            let id = "pod\(i)-" + CNIHarness.randomHex()
            let out = try CNIHarness.plugin("ADD", config: config, containerID: id, netns: ns.path)
            #expect(out.status == 0, "ADD: \(out.stdout) \(out.stderr)")
            let result = try CNIResult(json: try #require(out.json))
            let address = try #require(result.sandboxAddresses.first)
            #expect(address.length == 24)
            #expect(IPv4Prefix("10.244.0.0/24")!.contains(address.address))
            #expect(result.ips.first?.gateway == "10.244.0.1")
            pods.append((ns, address.address.description, id))
            if i == 0 { try expectGoldenResult(out.stdout, netns: ns.path) }
        }
        #expect(Set(pods.map(\.ip)).count == 3)
        #expect(net.ipFiles == pods.map(\.ip).sorted())

        let listeners = try pods.map { try CNIHarness.listen(inNamespace: $0.ns.path, ip: "0.0.0.0", port: 7001) }
        let gateway = try CNIHarness.listen(inNamespace: nil, ip: "10.244.0.1", port: 7002)
        defer { (listeners + [gateway]).forEach { close($0) } }
        for (i, from) in pods.enumerated() {
            for (j, to) in pods.enumerated() where i != j {
                #expect(
                    try CNIHarness.tcpRoundTrip(from: from.ns.path, to: to.ip, port: 7001, listener: listeners[j]),
                    "pod \(i) -> pod \(j) (\(to.ip))")
            }
            #expect(
                try CNIHarness.tcpRoundTrip(from: from.ns.path, to: "10.244.0.1", port: 7002, listener: gateway),
                "pod \(i) -> gateway")
        }

        // ipMasq: one chain for the network, one jump per pod; gone after the last DEL.
        let chain = try natChain(of: net.name)
        #expect(try CNIHarness.natRules().components(separatedBy: "-j \(chain)").count - 1 == 3)
        for pod in pods {
            let out = try CNIHarness.plugin("DEL", config: config, containerID: pod.id, netns: pod.ns.path)
            #expect(out.status == 0, "DEL: \(out.stdout)")
        }
        #expect(try !CNIHarness.natRules().contains(chain))
        #expect(net.ipFiles.isEmpty)
    }

    @Test func checkPassesThenFailsOnceTheVethIsDeletedByHand() throws {
        let net = try Network()
        defer { net.cleanUp() }
        let ns = try net.netns()
        let config = net.config(subnet: "10.245.1.0/24")
        let add = try CNIHarness.plugin("ADD", config: config, containerID: "check1", netns: ns.path)
        #expect(add.status == 0)
        var withPrev = try JSONValue.parse(config)
        withPrev.set("prevResult", try #require(add.json))
        let check = try CNIHarness.plugin("CHECK", config: withPrev.serialized(), containerID: "check1", netns: ns.path)
        #expect(check.status == 0, "CHECK: \(check.stdout)")
        #expect(check.stdout.isEmpty)

        _ = try ns.ip("link", "del", "eth0")
        let failed = try CNIHarness.plugin(
            "CHECK", config: withPrev.serialized(), containerID: "check1", netns: ns.path)
        #expect(failed.status == 1)
        #expect(failed.json?["code"]?.intValue == 102)
        #expect(failed.json?["msg"]?.stringValue == "interface eth0 is missing in \(ns.path)")
        _ = try CNIHarness.plugin("DEL", config: config, containerID: "check1", netns: ns.path)
    }

    @Test func delTwiceSucceedsAndFreesTheAddressFile() throws {
        let net = try Network()
        defer { net.cleanUp() }
        let ns = try net.netns()
        let config = net.config(subnet: "10.245.2.0/24")
        let add = try CNIHarness.plugin("ADD", config: config, containerID: "del1", netns: ns.path)
        #expect(add.status == 0)
        #expect(net.ipFiles == ["10.245.2.2"])
        let content = try String(contentsOfFile: "\(net.dataDir)/\(net.name)/10.245.2.2", encoding: .utf8)
        #expect(content == "del1\r\neth0")
        #expect(try ns.ip("-o", "link", "show", "eth0").contains("eth0"))

        for _ in 0..<2 {
            let del = try CNIHarness.plugin("DEL", config: config, containerID: "del1", netns: ns.path)
            #expect(del.status == 0, "DEL: \(del.stdout)")
            #expect(del.stdout.isEmpty)
        }
        #expect(net.ipFiles.isEmpty)
        #expect(try ns.ip("-o", "link").split(separator: "\n").count == 1)  // only lo
        // Without a netns at all (the sandbox is gone), or with only the file of an
        // unpinned one left, DEL still succeeds.
        #expect(try CNIHarness.plugin("DEL", config: config, containerID: "del1", netns: nil).status == 0)
        let leftover = net.dataDir + "/unpinned-netns"
        FileManager.default.createFile(atPath: leftover, contents: nil)
        #expect(try CNIHarness.plugin("DEL", config: config, containerID: "del1", netns: leftover).status == 0)
    }

    @Test func aFullPoolMalformedJSONAndAMissingVariableGiveTheSpecErrorJSON() throws {
        let net = try Network()
        defer { net.cleanUp() }
        let config = net.config(subnet: "10.245.3.0/24", rangeStart: "10.245.3.10", rangeEnd: "10.245.3.10")
        let first = try net.netns()
        let second = try net.netns()
        #expect(try CNIHarness.plugin("ADD", config: config, containerID: "full1", netns: first.path).status == 0)
        let full = try CNIHarness.plugin("ADD", config: config, containerID: "full2", netns: second.path)
        #expect(full.status == 1)
        #expect(full.json?["cniVersion"]?.stringValue == "1.0.0")
        #expect(full.json?["code"]?.intValue == 100)
        #expect(full.json?["msg"]?.stringValue == "no IP addresses available in range set 10.245.3.10-10.245.3.10")
        #expect(!full.stderr.isEmpty)  // logs go to stderr
        #expect(try !second.ip("-o", "link").contains("eth0"))  // nothing left behind

        let malformed = try CNIHarness.plugin(
            "ADD", config: "{\"cniVersion\": \"1.0.0\", ", containerID: "x", netns: second.path)
        #expect(malformed.status == 1)
        #expect(malformed.json?["code"]?.intValue == 6)

        let missing = try CNIHarness.plugin("ADD", config: config, containerID: "x", netns: nil)
        #expect(missing.status == 1)
        #expect(missing.json?["code"]?.intValue == 4)
        #expect(missing.json?["msg"]?.stringValue == "required env variables [CNI_NETNS] missing")
        _ = try CNIHarness.plugin("DEL", config: config, containerID: "full1", netns: first.path)
    }

    @Test func twentyConcurrentAddsGetTwentyDistinctAddresses() throws {
        let net = try Network()
        defer { net.cleanUp() }
        let config = net.config(subnet: "10.245.4.0/24")
        let namespaces = try (0..<20).map { _ in try net.netns() }
        let outputs = CNIOutputList(count: 20)
        DispatchQueue.concurrentPerform(iterations: 20) { i in
            outputs.set(
                i, try? CNIHarness.plugin("ADD", config: config, containerID: "c\(i)", netns: namespaces[i].path))
        }
        let addresses = outputs.values.compactMap { out -> String? in
            guard let out, out.status == 0, let json = out.json else { return nil }
            return (try? CNIResult(json: json))?.sandboxAddresses.first?.address.description
        }
        #expect(addresses.count == 20)
        #expect(Set(addresses).count == 20)
        #expect(net.ipFiles.count == 20)
        let chain = try natChain(of: net.name)
        DispatchQueue.concurrentPerform(iterations: 20) { i in
            outputs.set(
                i, try? CNIHarness.plugin("DEL", config: config, containerID: "c\(i)", netns: namespaces[i].path))
        }
        #expect(outputs.values.allSatisfy { $0?.status == 0 })
        #expect(net.ipFiles.isEmpty)
        #expect(try !CNIHarness.natRules().contains(chain))
    }

    @Test func bridgeOptionsMtuPromiscHairpinAndDefaultRoute() throws {
        let net = try Network()
        defer { net.cleanUp() }
        let ns = try net.netns()
        let config = net.config(
            subnet: "10.245.5.0/24",
            extra: #""isDefaultGateway":true,"hairpinMode":true,"promiscMode":true,"mtu":1400,"#)
        let add = try CNIHarness.plugin("ADD", config: config, containerID: "opts", netns: ns.path)
        #expect(add.status == 0, "ADD: \(add.stdout)")
        let result = try CNIResult(json: try #require(add.json))
        #expect(result.routes == [CNIResult.Route(dst: "0.0.0.0/0", gw: "10.245.5.1")])
        #expect(try ns.ip("-o", "link", "show", "eth0").contains("mtu 1400"))
        #expect(try ns.ip("route", "show", "default").contains("default via 10.245.5.1 dev eth0"))
        #expect(try CNIHarness.ip("-o", "link", "show", net.bridge).contains("PROMISC"))
        #expect(try CNIHarness.ip("-o", "addr", "show", net.bridge).contains("10.245.5.1/24"))
        let hostVeth = try #require(result.interfaces.first { $0.sandbox == nil && $0.name != net.bridge })
        let port = try CNIHarness.run("/usr/sbin/bridge", ["-d", "link", "show", "dev", hostVeth.name]).stdout
        #expect(port.contains("hairpin on"))
        #expect(port.contains("master \(net.bridge)"))
        #expect(try CNIHarness.run("/usr/bin/cat", ["/proc/sys/net/ipv4/ip_forward"]).stdout == "1\n")
        _ = try CNIHarness.plugin("DEL", config: config, containerID: "opts", netns: ns.path)
    }

    @Test func gcFreesWhatStaleAttachmentsHoldAndStatusReportsReadiness() throws {
        let net = try Network()
        defer { net.cleanUp() }
        let config = net.config(subnet: "10.245.6.0/24").replacingOccurrences(
            of: #""cniVersion":"1.0.0""#, with: #""cniVersion":"1.1.0""#)
        let keep = try net.netns()
        let stale = try net.netns()
        #expect(try CNIHarness.plugin("ADD", config: config, containerID: "keep", netns: keep.path).status == 0)
        #expect(try CNIHarness.plugin("ADD", config: config, containerID: "stale", netns: stale.path).status == 0)
        #expect(net.ipFiles == ["10.245.6.2", "10.245.6.3"])

        var gcConfig = try JSONValue.parse(config)
        gcConfig.set(
            "cni.dev/valid-attachments",
            .array([.object([("containerID", .string("keep")), ("ifname", .string("eth0"))])]))
        let gc = try CNIHarness.plugin("GC", config: gcConfig.serialized(), containerID: "", netns: nil)
        #expect(gc.status == 0, "GC: \(gc.stdout)")
        #expect(net.ipFiles == ["10.245.6.2"])
        let nat = try CNIHarness.natRules()
        #expect(nat.contains("-s 10.245.6.2/32"))
        #expect(!nat.contains("-s 10.245.6.3/32"))

        let status = try CNIHarness.plugin("STATUS", config: config, containerID: "", netns: nil)
        #expect(status.status == 0 && status.stdout.isEmpty)
        let unwritable = config.replacingOccurrences(of: net.dataDir, with: "/proc/swiftlet-cni-test")
        let notReady = try CNIHarness.plugin("STATUS", config: unwritable, containerID: "", netns: nil)
        #expect(notReady.status == 1)
        #expect(notReady.json?["code"]?.intValue == 50)

        #expect(try CNIHarness.plugin("DEL", config: config, containerID: "keep", netns: keep.path).status == 0)
        #expect(try CNIHarness.plugin("DEL", config: config, containerID: "stale", netns: stale.path).status == 0)
        #expect(try !CNIHarness.natRules().contains("swiftlet-bridge: \(net.name)"))
    }

    /// The ADD result, with the generated parts (MACs, host veth name, netns path) masked.
    private func expectGoldenResult(_ stdout: String, netns: String) throws {
        var masked = stdout.replacingOccurrences(of: netns, with: "<netns>")
        masked = masked.replacingOccurrences(of: #"veth[0-9a-f]{8}"#, with: "<veth>", options: .regularExpression)
        masked = masked.replacingOccurrences(
            of: #"([0-9a-f]{2}:){5}[0-9a-f]{2}"#, with: "<mac>", options: .regularExpression)
        masked = masked.replacingOccurrences(of: #"cnit[0-9a-f]{6}"#, with: "<bridge>", options: .regularExpression)
        let golden = packageRoot + "/Tests/CNITests/Golden/bridge-add-result.json"
        if ProcessInfo.processInfo.environment["SWIFTLET_UPDATE_GOLDEN"] == "1" {
            try masked.write(toFile: golden, atomically: true, encoding: .utf8)
        }
        #expect(masked == (try String(contentsOfFile: golden, encoding: .utf8)))
    }

    private func natChain(of network: String) throws -> String {
        let rules = try CNIHarness.natRules()
        let line = try #require(rules.split(separator: "\n").first { $0.contains("swiftlet-bridge: \(network) id:") })
        return String(try #require(line.split(separator: " ").last))
    }
}

final class CNIOutputList: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [CNIHarness.Output?]
    init(count: Int) { storage = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: CNIHarness.Output?) { lock.withLock { storage[i] = v } }
    var values: [CNIHarness.Output?] { lock.withLock { storage } }
}
