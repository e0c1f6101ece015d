import Testing

@testable import KubeProxy

@Suite struct NFTablesApplierTests {
    let generator = CachingNFTablesGenerator(options: ProxyOptions(clusterCIDR: "10.244.0.0/16"))

    func services(_ count: Int, affinity: Set<Int> = []) -> [ServiceInfo] {
        (0..<count).map { i in
            ServiceInfo(namespace: "default", name: "svc-\(i)", type: i % 3 == 0 ? .nodePort : .clusterIP, clusterIP: "10.96.1.\(i)",
                        ports: [ServicePortInfo(name: "http", port: 80, nodePort: i % 3 == 0 ? 30000 + i : nil)],
                        sessionAffinity: affinity.contains(i) ? .clientIP(timeoutSeconds: 60) : .none)
        }
    }

    func endpoints(_ services: [ServiceInfo], count: (Int) -> Int) -> [ServiceName: [EndpointInfo]] {
        var result: [ServiceName: [EndpointInfo]] = [:]
        for (i, s) in services.enumerated() {
            result[s.serviceName] = (0..<count(i)).map { EndpointInfo(ip: "10.244.\(i).\($0 + 1)", ports: ["http": 8080]) }
        }
        return result
    }

    @Test func incrementalSyncTouchesOnlyTheChangedService() throws {
        let kernel = RecordingNFTables()
        let applier = NFTablesApplier(transport: kernel)
        let svcs = services(10)
        var eps = endpoints(svcs) { _ in 3 }
        #expect(try applier.sync(generator.generate(services: svcs, endpoints: eps).ruleset).kind == .full)

        // One pod of svc-4 replaced: its service chain is rewritten, one endpoint chain goes, one comes.
        let changed = svcs[4].serviceName
        eps[changed] = Array(eps[changed]!.dropLast()) + [EndpointInfo(ip: "10.244.99.1", ports: ["http": 8080])]
        let ruleset = generator.generate(services: svcs, endpoints: eps).ruleset
        #expect(try applier.sync(ruleset).kind == .incremental)
        // Only the Service's shard table is touched: the kernel re-checks that table alone.
        #expect(kernel.plans.last!.tables.map(\.table) == [NFTablesRuleset.shardTableName(NFTablesRuleset.shard(of: changed))])
        let plan = kernel.plans.last!.tables[0]
        #expect(!plan.recreateTable && plan.addElements.isEmpty && plan.deleteElements.isEmpty)
        #expect(plan.deleteChains.count == 1 && plan.deleteChains[0].hasSuffix("__10.244.4.3/8080"))
        #expect(plan.addChains.map(\.name).count == 1 && plan.addChains[0].name.hasSuffix("__10.244.99.1/8080"))
        #expect(plan.flushChains.count == 2 && plan.flushChains.contains(plan.deleteChains[0]))
        #expect(plan.flushChains.contains { $0.hasPrefix("service-") && $0.hasSuffix("default/svc-4/tcp/http") })
        #expect(kernel.tables == RecordingNFTables.expected(ruleset))
        #expect(try applier.sync(ruleset).kind == .unchanged)
    }

    @Test func randomChangesConvergeToTheTargetTable() throws {
        let kernel = RecordingNFTables()
        let applier = NFTablesApplier(transport: kernel)
        var rng = SystemRandomNumberGenerator()
        for round in 0..<30 {
            let count = Int.random(in: 0...12, using: &rng)
            let svcs = services(count, affinity: Set((0..<count).filter { _ in Bool.random(using: &rng) }))
            let eps = endpoints(svcs) { _ in Int.random(in: 0...3, using: &rng) }
            let ruleset = generator.generate(services: svcs, endpoints: eps).ruleset
            try applier.sync(ruleset)
            #expect(kernel.tables == RecordingNFTables.expected(ruleset), "round \(round)")
        }
    }

    @Test func servicesSpreadOverShardTablesThatComeAndGoWithThem() throws {
        let kernel = RecordingNFTables()
        let applier = NFTablesApplier(transport: kernel)
        let svcs = services(40)
        try applier.sync(generator.generate(services: svcs, endpoints: endpoints(svcs) { _ in 1 }).ruleset)
        #expect(kernel.tables.count == 1 + Set(svcs.map { NFTablesRuleset.shard(of: $0.serviceName) }).count)
        #expect(kernel.tables.count > 8, "40 Services fill most of the 16 shards")

        // A shard's only Service loses its endpoints: the shard table goes, and the Service's
        // address moves to the shared table's no-endpoint map.
        let lone = svcs.first { s in svcs.filter { NFTablesRuleset.shard(of: $0.serviceName) == NFTablesRuleset.shard(of: s.serviceName) }.count == 1 }!
        let loneShard = NFTablesRuleset.shardTableName(NFTablesRuleset.shard(of: lone.serviceName))
        var eps = endpoints(svcs) { _ in 1 }
        eps[lone.serviceName] = []
        var ruleset = generator.generate(services: svcs, endpoints: eps).ruleset
        #expect(try applier.sync(ruleset).kind == .incremental)
        #expect(Set(kernel.plans.last!.tables.map(\.table)) == [NFTablesRuleset.tableName, loneShard])
        #expect(kernel.plans.last!.tables.first { $0.table == loneShard }?.deleteTable == true)
        #expect(kernel.tables[loneShard] == nil && kernel.tables == RecordingNFTables.expected(ruleset))

        // Its endpoint comes back: the shard table is made again, with only what it needs.
        ruleset = generator.generate(services: svcs, endpoints: endpoints(svcs) { _ in 1 }).ruleset
        #expect(try applier.sync(ruleset).kind == .incremental)
        #expect(kernel.plans.last!.tables.first { $0.table == loneShard }?.recreateTable == true)
        #expect(kernel.tables == RecordingNFTables.expected(ruleset))
    }

    @Test func aFailedSyncMakesTheNextOneFull() throws {
        let kernel = RecordingNFTables()
        let applier = NFTablesApplier(transport: kernel)
        let svcs = services(3)
        try applier.sync(generator.generate(services: svcs, endpoints: endpoints(svcs) { _ in 1 }).ruleset)
        kernel.failNext = true
        let next = generator.generate(services: svcs, endpoints: endpoints(svcs) { _ in 2 }).ruleset
        #expect(throws: ProxyError.self) { try applier.sync(next) }
        #expect(try applier.sync(next).kind == .full)
        try applier.cleanup()
        #expect(kernel.tables.isEmpty)
    }
}
