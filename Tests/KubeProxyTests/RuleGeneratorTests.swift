import Testing

@testable import KubeProxy

@Suite struct RuleGeneratorTests {
    let svc = ServiceName(namespace: "default", name: "web")

    func generate(_ services: [ServiceInfo], _ endpoints: [ServiceName: [EndpointInfo]] = [:]) -> GeneratedRules {
        RuleGenerator(options: ProxyOptions(clusterCIDR: "10.244.0.0/16")).generate(services: services, endpoints: endpoints)
    }

    @Test func chainNamesMatchKubeProxy() {
        // Names kube-proxy's own tests expect for these service ports and endpoint.
        #expect(KubeChains.serviceChain("ns1/svc1:p80", .tcp) == "KUBE-SVC-XPGD46QRK7WJZT7O")
        #expect(KubeChains.endpointChain("ns1/svc1:p80", .tcp, endpoint: "10.180.0.1:80") == "KUBE-SEP-SXIVWICOYRO3J4NJ")
        #expect(KubeChains.externalChain("ns2/svc2:p80", .tcp) == "KUBE-EXT-GNZBNJ2PO5MGZ6GT")
    }

    @Test func sha256KnownAnswers() {
        let hex = { (bytes: [UInt8]) in bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(SHA256.digest(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.digest([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = Array(String(repeating: "a", count: 1000).utf8)
        #expect(hex(SHA256.digest(long)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test func headlessServiceGetsNoRules() {
        let headless = ServiceInfo(namespace: "default", name: "web", clusterIP: nil, ports: [ServicePortInfo(port: 80)])
        let rules = generate([headless], [svc: [EndpointInfo(ip: "10.244.0.5", ports: ["": 80])]]).ruleset
        #expect(!rules.restoreText().contains("default/web"))
    }

    @Test func invalidServiceIsSkippedWithOneLineAndOthersKept() {
        let bad = ServiceInfo(namespace: "default", name: "bad", clusterIP: "10.96.0.300", ports: [ServicePortInfo(port: 80)])
        let good = ServiceInfo(namespace: "default", name: "web", clusterIP: "10.96.0.20", ports: [ServicePortInfo(port: 80)])
        let result = generate([bad, good], [svc: [EndpointInfo(ip: "10.244.0.5", ports: ["": 80])]])
        #expect(result.problems == ["service default/bad: spec.clusterIP \"10.96.0.300\" is not an IPv4 address; skipped"])
        let text = result.ruleset.restoreText()
        #expect(text.contains("-d 10.96.0.20 --dport 80 -j KUBE-SVC-"))
        #expect(!text.contains("default/bad"))
    }

    /// iptables reads "010" as octal 8: such text is refused, never passed on to name another address.
    @Test func addressesWithLeadingZerosAreNotPassedOn() {
        let bad = ServiceInfo(namespace: "default", name: "bad", clusterIP: "010.96.0.1", ports: [ServicePortInfo(port: 80)])
        let web = ServiceInfo(namespace: "default", name: "web", clusterIP: "10.96.0.20", ports: [ServicePortInfo(port: 80)])
        let endpoints = [EndpointInfo(ip: "010.244.0.5", ports: ["": 80]), EndpointInfo(ip: "10.244.0.6", ports: ["": 80])]
        let result = generate([bad, web], [svc: endpoints])
        #expect(result.problems == ["service default/bad: spec.clusterIP \"010.96.0.1\" is not an IPv4 address; skipped"])
        let text = result.ruleset.restoreText()
        #expect(text.contains("--to-destination 10.244.0.6:80"))
        #expect(!text.contains("010.244.0.5"))
        #expect(text.contains("10.244.0.0/16"))
        let octal = RuleGenerator(options: ProxyOptions(clusterCIDR: "10.244.0.0/016")).generate(services: [web], endpoints: [svc: endpoints])
        #expect(!octal.ruleset.restoreText().contains("/016"))
    }

    @Test func outOfRangePortIsReported() {
        let bad = ServiceInfo(namespace: "ns", name: "x", clusterIP: "10.96.0.1", ports: [ServicePortInfo(name: "a", port: 80, nodePort: 70000)])
        #expect(generate([bad]).problems == ["service ns/x: spec.ports[0].nodePort 70000 is out of range 1-65535; skipped"])
    }

    @Test func endpointWithoutThePortNameIsNotABackend() {
        let web = ServiceInfo(namespace: "default", name: "web", clusterIP: "10.96.0.20", ports: [ServicePortInfo(name: "http", port: 80)])
        let rules = generate([web], [svc: [EndpointInfo(ip: "10.244.0.5", ports: ["grpc": 9000])]]).ruleset
        #expect(rules.filter.chain(named: "KUBE-SERVICES")?.rules.first?.contains("has no endpoints") == true)
        #expect(!rules.nat.chains.contains { $0.name.hasPrefix("KUBE-SEP-") })
    }

    @Test func probabilitiesSpreadEvenlyOverEndpoints() {
        let web = ServiceInfo(namespace: "default", name: "web", clusterIP: "10.96.0.20", ports: [ServicePortInfo(port: 80)])
        let eps = (1...4).map { EndpointInfo(ip: "10.244.0.\($0)", ports: ["": 80]) }
        let rules = generate([web], [svc: eps]).ruleset
        let svcChain = rules.nat.chains.first { $0.name.hasPrefix("KUBE-SVC-") }!
        let probabilities = svcChain.rules.compactMap { rule -> String? in
            guard let r = rule.range(of: "--probability ") else { return nil }
            return String(rule[r.upperBound...].prefix(12))
        }
        #expect(probabilities == ["0.2500000000", "0.3333333333", "0.5000000000"])
        #expect(svcChain.rules.last?.contains("statistic") == false)
    }

    @Test func everyChainIsDeclaredOnceAndOwned() {
        let web = ServiceInfo(namespace: "default", name: "web", type: .nodePort, clusterIP: "10.96.0.20",
                              ports: [ServicePortInfo(port: 80, nodePort: 30080)])
        let rules = generate([web], [svc: [EndpointInfo(ip: "10.244.0.5", ports: ["": 80])]]).ruleset
        for table in rules.tables {
            let names = table.chains.map(\.name)
            #expect(Set(names).count == names.count)
            #expect(names.allSatisfy { KubeChains.isOwned($0, table: table.name) })
        }
    }
}

@Suite struct ParsingTests {
    @Test func jumpTargets() {
        #expect(SyncPlanner.jumpTarget("-m comment --comment \"a -> b\" -j KUBE-SEP-ABC") == "KUBE-SEP-ABC")
        #expect(SyncPlanner.jumpTarget("-j KUBE-SVC-X") == "KUBE-SVC-X")
        #expect(SyncPlanner.jumpTarget("-m tcp -p tcp -j DNAT --to-destination 10.0.0.1:80") == nil)
        #expect(SyncPlanner.jumpTarget("-g KUBE-EXT-Y") == "KUBE-EXT-Y")
    }
}
