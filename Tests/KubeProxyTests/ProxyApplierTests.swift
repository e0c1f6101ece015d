import Foundation
import TestSupport
import Testing

@testable import KubeProxy

@Suite struct ProxyApplierTests {
    let generator = RuleGenerator(options: ProxyOptions(clusterCIDR: "10.244.0.0/16"))

    func service(_ i: Int, type: ServiceInfo.ServiceType = .clusterIP) -> ServiceInfo {
        ServiceInfo(namespace: "default", name: "svc\(i)", type: type, clusterIP: "10.96.1.\(i)",
                    ports: [ServicePortInfo(name: "http", port: 80, nodePort: type == .clusterIP ? nil : 30000 + i)])
    }

    func endpoints(_ i: Int, count: Int = 3, base: Int = 0) -> [EndpointInfo] {
        (0..<count).map { EndpointInfo(ip: "10.244.\(i).\(base + $0 + 1)", ports: ["http": 8080]) }
    }

    func rules(_ services: [ServiceInfo], _ eps: [Int: [EndpointInfo]]) -> Ruleset {
        let byName = Dictionary(uniqueKeysWithValues: eps.map { (ServiceName(namespace: "default", name: "svc\($0.key)"), $0.value) })
        return generator.generate(services: services, endpoints: byName).ruleset
    }

    @Test func firstSyncIsFullAndInstallsJumpRulesOnce() throws {
        let kernel = RecordingIPTables()
        let applier = ProxyApplier(executor: kernel)
        let ruleset = rules([service(1)], [1: endpoints(1)])
        #expect(try applier.sync(ruleset).kind == .full)
        #expect(kernel.proxyState() == ruleset.expectedState)
        #expect(kernel.tables["nat"]?["PREROUTING"] == ["-m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES"])
        #expect(kernel.tables["filter"]?["FORWARD"]?.count == 3)

        try applier.fullSync(ruleset)
        #expect(kernel.tables["nat"]?["PREROUTING"]?.count == 1, "jump rules are not duplicated")
        #expect(try applier.sync(ruleset).kind == .unchanged)
    }

    @Test func endpointChangeRewritesOnlyThatServicesChains() throws {
        let kernel = RecordingIPTables()
        let applier = ProxyApplier(executor: kernel)
        try applier.sync(rules([service(1), service(2)], [1: endpoints(1), 2: endpoints(2)]))
        kernel.resetRecords()

        let next = rules([service(1), service(2)], [1: endpoints(1), 2: endpoints(2, count: 3, base: 1)])
        let result = try applier.sync(next)
        #expect(result.kind == .incremental)
        #expect(kernel.proxyState() == next.expectedState)
        let input = try #require(kernel.restores.first)
        #expect(!input.contains("default/svc1"), "the unchanged service is not rewritten")
        #expect(!input.contains(":KUBE-SERVICES"), "the dispatch chain is not rewritten")
        // svc2's chain changed, one endpoint chain came, one went.
        #expect(result.chainsWritten == 2 && result.chainsDeleted == 1)
        #expect(input.contains("-X KUBE-SEP-"))
        #expect(kernel.commands.isEmpty, "incremental syncs run no per-rule iptables commands")
    }

    @Test func addingAndRemovingServicesEditsDispatchChainsRuleByRule() throws {
        let kernel = RecordingIPTables()
        let applier = ProxyApplier(executor: kernel)
        try applier.sync(rules([service(1), service(2, type: .nodePort)], [1: endpoints(1), 2: endpoints(2)]))

        let next = rules([service(1), service(3, type: .nodePort)], [1: endpoints(1), 3: endpoints(3)])
        let result = try applier.sync(next)
        #expect(kernel.proxyState() == next.expectedState)
        #expect(result.rulesDeleted == 2 && result.rulesInserted == 2, "KUBE-SERVICES and KUBE-NODEPORTS: one out, one in each")
        let input = try #require(kernel.restores.last)
        #expect(input.contains("-I KUBE-SERVICES 1 -m comment --comment \"default/svc3:http cluster IP\""))
        #expect(input.contains("-D KUBE-NODEPORTS -m comment --comment default/svc2:http"))
        #expect(!kernel.tables["nat"]!.keys.contains { $0.hasPrefix("KUBE-") && kernel.tables["nat"]![$0]!.joined().contains("svc2") })
        #expect(kernel.tables["nat"]?["KUBE-SERVICES"]?.last?.contains("KUBE-NODEPORTS") == true)
    }

    @Test func serviceLosingEndpointsMovesToReject() throws {
        let kernel = RecordingIPTables()
        let applier = ProxyApplier(executor: kernel)
        try applier.sync(rules([service(1)], [1: endpoints(1)]))
        let next = rules([service(1)], [:])
        try applier.sync(next)
        #expect(kernel.proxyState() == next.expectedState)
        #expect(kernel.tables["filter"]?["KUBE-SERVICES"]?.first?.hasSuffix("-j REJECT") == true)
        #expect(!kernel.tables["nat"]!.keys.contains { $0.hasPrefix("KUBE-SVC-") || $0.hasPrefix("KUBE-SEP-") })
    }

    @Test func randomChangeSequencesConvergeToTheTarget() throws {
        var rng = SplitMix64(seed: 42)
        let kernel = RecordingIPTables()
        let applier = ProxyApplier(executor: kernel, chainsPerCommit: 7)
        for _ in 0..<40 {
            var services: [ServiceInfo] = []
            var eps: [Int: [EndpointInfo]] = [:]
            for i in 1...12 where rng.next() % 3 != 0 {
                services.append(service(i, type: rng.next() % 2 == 0 ? .clusterIP : .nodePort))
                let count = Int(rng.next() % 4)
                if count > 0 { eps[i] = endpoints(i, count: count, base: Int(rng.next() % 3)) }
            }
            let ruleset = rules(services, eps)
            try applier.sync(ruleset)
            #expect(kernel.proxyState() == ruleset.expectedState)
        }
    }

    @Test func cachingGeneratorMatchesThePureOneThroughChanges() throws {
        var rng = SplitMix64(seed: 7)
        let caching = CachingRuleGenerator(options: generator.options)
        for _ in 0..<40 {
            var services: [ServiceInfo] = []
            var eps: [ServiceName: [EndpointInfo]] = [:]
            for i in 1...12 where rng.next() % 3 != 0 {
                var svc = service(i, type: rng.next() % 2 == 0 ? .clusterIP : .nodePort)
                if rng.next() % 4 == 0 { svc.sessionAffinity = .clientIP(timeoutSeconds: 60) }
                if rng.next() % 6 == 0 { svc.clusterIP = "bad" }
                services.append(svc)
                let count = Int(rng.next() % 4)
                if count > 0 { eps[svc.serviceName] = endpoints(i, count: count, base: Int(rng.next() % 3)) }
            }
            #expect(caching.generate(services: services, endpoints: eps) == generator.generate(services: services, endpoints: eps))
        }
    }

    @Test func fullSyncKeepsAServicePortsChainsInOneCommitAndFlipsDispatchLast() throws {
        let kernel = RecordingIPTables()
        let applier = ProxyApplier(executor: kernel, chainsPerCommit: 2)
        let ruleset = rules((1...3).map { service($0, type: .nodePort) }, [1: endpoints(1), 2: endpoints(2), 3: endpoints(3)])
        try applier.sync(ruleset)
        #expect(kernel.restores.count == 2, "fixed chains for the jump rules, then the ruleset")
        let sections = try #require(kernel.restores.last).components(separatedBy: "COMMIT\n").filter { !$0.isEmpty }
        #expect(sections.count > 5)
        let natSections = sections.filter { $0.hasPrefix("*nat") }
        #expect(natSections.last?.contains(":KUBE-SERVICES") == true)
        #expect(natSections.dropLast().allSatisfy { !$0.contains(":KUBE-SERVICES") && !$0.contains(":KUBE-NODEPORTS") })
        #expect(natSections.first?.contains(":KUBE-MARK-MASQ") == true)
        // Every jump inside a staged commit targets a chain declared in it or the fixed chains.
        for section in natSections.dropLast() {
            let declared = Set(section.split(separator: "\n").filter { $0.hasPrefix(":") }.map { String($0.dropFirst().prefix { $0 != " " }) })
            for line in section.split(separator: "\n") where line.hasPrefix("-A ") {
                if let target = SyncPlanner.jumpTarget(String(line)), target != "KUBE-MARK-MASQ" {
                    #expect(declared.contains(target), "\(line)")
                }
            }
        }
        #expect(kernel.proxyState() == ruleset.expectedState)
    }

    @Test func failedRestoreMakesTheNextSyncFull() throws {
        let kernel = RecordingIPTables()
        let applier = ProxyApplier(executor: kernel)
        try applier.sync(rules([service(1)], [1: endpoints(1)]))
        kernel.failNextRestore = true
        let next = rules([service(1), service(2)], [1: endpoints(1), 2: endpoints(2)])
        #expect(throws: ProxyError.self) { try applier.sync(next) }
        #expect(try applier.sync(next).kind == .full)
        #expect(kernel.proxyState() == next.expectedState)
    }

    @Test func fullSyncAfterRestartDeletesStaleChainsFoundInTheKernel() throws {
        let kernel = RecordingIPTables()
        try ProxyApplier(executor: kernel).sync(rules([service(1), service(2)], [1: endpoints(1), 2: endpoints(2)]))
        let restarted = ProxyApplier(executor: kernel)
        let next = rules([service(1)], [1: endpoints(1)])
        #expect(try restarted.sync(next).kind == .full)
        #expect(kernel.proxyState() == next.expectedState)
    }

    @Test func cleanupRemovesOnlyWhatTheProxyMade() throws {
        let kernel = RecordingIPTables()
        kernel.tables["nat"]!["POSTROUTING"] = ["-s 10.244.0.0/16 -j MASQUERADE"]
        kernel.tables["filter"]!["MY-CHAIN"] = ["-j ACCEPT"]
        kernel.tables["nat"]!["KUBE-HOSTPORTS"] = []  // not ours: another component's chain
        let before = kernel.tables
        let applier = ProxyApplier(executor: kernel)
        try applier.sync(rules([service(1, type: .nodePort), service(2)], [1: endpoints(1)]))
        #expect(kernel.tables != before)
        try applier.cleanup()
        #expect(kernel.tables == before)
        try applier.cleanup()  // idempotent
        #expect(kernel.tables == before)
    }
}

@Suite struct ServiceProxyTests {
    @Test func syncAppliesValidServicesAndReportsTheRest() throws {
        let kernel = RecordingIPTables()
        let nft = RecordingNFTables()
        let proxy = ServiceProxy(options: ProxyOptions(clusterCIDR: "10.244.0.0/16"), applier: ProxyApplier(executor: kernel),
                                 nftablesApplier: NFTablesApplier(transport: nft))
        let good = ServiceInfo(namespace: "default", name: "web", clusterIP: "10.96.0.20", ports: [ServicePortInfo(port: 80)])
        let bad = ServiceInfo(namespace: "default", name: "bad", clusterIP: "nope", ports: [ServicePortInfo(port: 80)])
        let (result, problems) = try proxy.sync(services: [good, bad], endpoints: [good.serviceName: [EndpointInfo(ip: "10.244.0.5", ports: ["": 80])]])
        #expect(result.kind == .full)
        #expect(problems == ["service default/bad: spec.clusterIP \"nope\" is not an IPv4 address; skipped"])
        #expect(kernel.tables["nat"]?["KUBE-SERVICES"]?.first?.contains("-d 10.96.0.20 --dport 80") == true)
        try proxy.cleanup()
        #expect(!kernel.tables["nat"]!.keys.contains { $0.hasPrefix("KUBE-") })
    }

    @Test func nftablesModeProgramsTheTableAndClearsIPTablesRules() throws {
        let kernel = RecordingIPTables()
        let nft = RecordingNFTables()
        let options = ProxyOptions(clusterCIDR: "10.244.0.0/16")
        let good = ServiceInfo(namespace: "default", name: "web", clusterIP: "10.96.0.20", ports: [ServicePortInfo(port: 80)])
        let eps = [good.serviceName: [EndpointInfo(ip: "10.244.0.5", ports: ["": 80])]]
        // Rules an earlier run in iptables mode left behind.
        try ServiceProxy(options: options, applier: ProxyApplier(executor: kernel), nftablesApplier: NFTablesApplier(transport: nft))
            .sync(services: [good], endpoints: eps)
        #expect(kernel.tables["nat"]?["KUBE-SERVICES"] != nil)

        let proxy = ServiceProxy(options: options, mode: .nftables, applier: ProxyApplier(executor: kernel),
                                 nftablesApplier: NFTablesApplier(transport: nft))
        #expect(try proxy.sync(services: [good], endpoints: eps).result.kind == .full)
        #expect(!kernel.tables["nat"]!.keys.contains { $0.hasPrefix("KUBE-") })
        #expect(nft.tables[NFTablesRuleset.shardTableName(NFTablesRuleset.shard(of: good.serviceName))]?.elements
            .contains { $0.map == NFTablesGenerator.serviceIPs } == true)
        try proxy.cleanup()
        #expect(nft.tables.isEmpty)
    }

    /// Rules flushed from outside come back at the next hourly full sync, in either mode.
    @Test(arguments: [ProxyMode.iptables, .nftables])
    func anHourlyFullSyncPutsBackRulesRemovedFromOutside(mode: ProxyMode) throws {
        let kernel = RecordingIPTables()
        let nft = RecordingNFTables()
        let now = ManualClock()
        let proxy = ServiceProxy(options: ProxyOptions(clusterCIDR: "10.244.0.0/16"), mode: mode, applier: ProxyApplier(executor: kernel),
                                 nftablesApplier: NFTablesApplier(transport: nft), clock: { now.date })
        let web = ServiceInfo(namespace: "default", name: "web", clusterIP: "10.96.0.20", ports: [ServicePortInfo(port: 80)])
        let eps = [web.serviceName: [EndpointInfo(ip: "10.244.0.5", ports: ["": 80])]]
        #expect(try proxy.sync(services: [web], endpoints: eps).result.kind == .full)
        func installed() -> Bool {
            mode == .iptables ? kernel.tables["nat"]?["KUBE-SERVICES"]?.isEmpty == false : !nft.tables.isEmpty
        }
        // Someone removes the proxy's rules.
        switch mode {
        case .iptables: kernel.tables["nat"]?["KUBE-SERVICES"] = []
        case .nftables: try nft.deleteTables(NFTablesRuleset.allTableNames)
        }
        now.advance(3599)
        #expect(try proxy.sync(services: [web], endpoints: eps).result.kind == .unchanged)
        #expect(!installed())
        now.advance(1)
        #expect(try proxy.sync(services: [web], endpoints: eps).result.kind == .full)
        #expect(installed())
        #expect(try proxy.sync(services: [web], endpoints: eps).result.kind == .unchanged)
    }
}

/// A clock tests move by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var now = Date(timeIntervalSince1970: 1_800_000_000)
    var date: Date { lock.withLock { now } }
    func advance(_ seconds: TimeInterval) { lock.withLock { now += seconds } }
}
