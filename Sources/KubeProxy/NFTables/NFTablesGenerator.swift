import NetAddress

/// Turns Services and their endpoints into the proxy's nf_tables tables in kube-proxy's
/// nftables-mode layout, sharded (see `NFTablesRuleset`): verdict maps `service-ips` and
/// `service-nodeports` dispatch to a chain per service port, which picks an endpoint chain by
/// a cascade of `numgen` rules (plain rules, not anonymous vmaps: the kernel's loop check
/// makes many vmaps quadratic). Pure: no I/O, same input gives the same ruleset.
public struct NFTablesGenerator: Sendable {
    public var options: ProxyOptions

    public init(options: ProxyOptions = ProxyOptions()) {
        self.options = options
    }

    // Fixed chain and map names, as kube-proxy's nftables mode calls them.
    public static let servicesChain = "services"
    public static let nodePortsChain = "nodeports"
    public static let markForMasquerade = "mark-for-masquerade"
    public static let masquerading = "masquerading"
    public static let serviceEndpointsCheck = "service-endpoints-check"
    public static let nodePortEndpointsCheck = "nodeport-endpoints-check"
    public static let rejectChain = "reject-chain"
    public static let serviceIPs = "service-ips"
    public static let serviceNodePorts = "service-nodeports"
    public static let noEndpointServices = "no-endpoint-services"
    public static let noEndpointNodePorts = "no-endpoint-nodeports"

    /// The whole table. Invalid Services are left out, with one line each in `problems`.
    public func generate(services: [ServiceInfo], endpoints: [ServiceName: [EndpointInfo]]) -> NFTablesGenerated {
        assemble(services.sorted { $0.serviceName < $1.serviceName }.filter { !$0.isHeadless }.map {
            ($0.serviceName, rules(for: $0, endpoints: endpoints[$0.serviceName] ?? []))
        })
    }

    func assemble(_ parts: [(name: ServiceName, part: NFTServiceRules)]) -> NFTablesGenerated {
        var problems: [String] = []
        if let cidr = options.clusterCIDR, IPv4Prefix(cidr) == nil {
            problems.append("proxy options: clusterCIDR \"\(cidr)\" is not an IPv4 CIDR; ignored")
        }
        var services: [ServiceName: NFTServiceRules] = [:]
        services.reserveCapacity(parts.count)
        for (name, part) in parts {
            problems.append(contentsOf: part.problems)
            services[name] = part
        }
        return NFTablesGenerated(ruleset: NFTablesRuleset(main: mainTable, shard: shardTable, services: services),
                                 problems: problems)
    }

    /// NodePorts answer on every local address but loopback (as kube-proxy's nftables mode),
    /// or on the addresses given.
    private var nodePortMatches: [[NFTStatement]] {
        options.nodePortAddresses.isEmpty
            ? [[.destinationIsLocal, .destination(address: 0x7F00_0000, prefix: 8, negated: true)]]
            : options.nodePortAddresses.compactMap { IPv4Address($0)?.value }.map { [.destination(address: $0, prefix: 32, negated: false)] }
    }

    private func base(_ name: String, _ type: String, _ point: NFTChain.Hook.Point, _ priority: Int, _ rules: [NFTRule]) -> NFTChain {
        NFTChain(name: name, hook: NFTChain.Hook(type: type, point: point, priority: priority), rules: rules)
    }

    /// The shared table: rejecting Services without endpoints, and masquerading what the
    /// shards marked.
    var mainTable: NFTTableBase {
        let mark = options.masqueradeMark
        let checkServices = NFTRule(.ctStateNew, .jump(Self.serviceEndpointsCheck))
        return NFTTableBase(sets: [
            NFTSet(name: Self.noEndpointServices, key: .addressProtocolPort, isVerdictMap: true),
            NFTSet(name: Self.noEndpointNodePorts, key: .protocolPort, isVerdictMap: true),
        ], chains: [
            base("nat-postrouting", "nat", .postrouting, 100, [NFTRule(.jump(Self.masquerading))]),
            base("filter-input", "filter", .input, -1, [NFTRule(.ctStateNew, .jump(Self.nodePortEndpointsCheck)), checkServices]),
            base("filter-forward", "filter", .forward, -1, [checkServices]),
            base("filter-output", "filter", .output, -1, [checkServices]),
            NFTChain(name: Self.serviceEndpointsCheck, rules: [NFTRule(.verdictMap(.addressProtocolPort, map: Self.noEndpointServices))]),
            NFTChain(name: Self.nodePortEndpointsCheck, rules: nodePortMatches.map {
                NFTRule(statements: $0 + [.verdictMap(.protocolPort, map: Self.noEndpointNodePorts)])
            }),
            NFTChain(name: Self.rejectChain, rules: [NFTRule(.reject)]),
            NFTChain(name: Self.masquerading, rules: [
                NFTRule(.markMasked(mark, isZero: true), .return),
                NFTRule(.markXor(mark)),
                NFTRule(.masquerade(randomFully: options.randomFully)),
            ]),
        ])
    }

    /// What every shard has: NAT hooks dispatching through its maps to its Services' chains.
    var shardTable: NFTTableBase {
        NFTTableBase(sets: [
            NFTSet(name: Self.serviceIPs, key: .addressProtocolPort, isVerdictMap: true),
            NFTSet(name: Self.serviceNodePorts, key: .protocolPort, isVerdictMap: true),
        ], chains: [
            base("nat-prerouting", "nat", .prerouting, -100, [NFTRule(.jump(Self.servicesChain))]),
            base("nat-output", "nat", .output, -100, [NFTRule(.jump(Self.servicesChain))]),
            NFTChain(name: Self.servicesChain, rules: [NFTRule(.verdictMap(.addressProtocolPort, map: Self.serviceIPs))]
                + nodePortMatches.map { NFTRule(statements: $0 + [.jump(Self.nodePortsChain)]) }),
            NFTChain(name: Self.nodePortsChain, rules: [NFTRule(.verdictMap(.protocolPort, map: Self.serviceNodePorts))]),
            NFTChain(name: Self.markForMasquerade, rules: [NFTRule(.markOr(options.masqueradeMark))]),
        ])
    }

    /// One Service's chains, affinity sets and map elements.
    func rules(for service: ServiceInfo, endpoints: [EndpointInfo]) -> NFTServiceRules {
        var out = NFTServiceRules(shard: NFTablesRuleset.shard(of: service.serviceName))
        if let problem = ServiceChecks.problem(in: service) {
            out.problems.append("service \(service.serviceName): \(problem); skipped")
            return out
        }
        let ready = endpoints.filter { $0.ready && IPv4Address($0.ip) != nil }
        for port in service.ports { add(port, of: service, endpoints: ready, to: &out) }
        return out
    }

    private func add(_ port: ServicePortInfo, of service: ServiceInfo, endpoints: [EndpointInfo], to out: inout NFTServiceRules) {
        let portName = ServiceChecks.servicePortName(service, port)
        let proto = port.protocol
        let base = "\(service.namespace)/\(service.name)/\(proto.iptablesName)/\(port.name)"
        let clusterIP = service.clusterIP.flatMap { IPv4Address($0)?.value } ?? 0
        let external = (ServiceChecks.unique(service.externalIPs) + ServiceChecks.unique(service.loadBalancerIngressIPs)).compactMap { IPv4Address($0)?.value }
        let targets = ServiceChecks.backends(endpoints, portName: port.name)

        func element(_ map: String, _ address: UInt32?, _ port: Int, _ chain: String) -> NFTElement {
            let key: NFTElement.Key = address.map { .addressProtocolPort(address: $0, proto, port: port) } ?? .protocolPort(proto, port: port)
            return NFTElement(map: map, key: key, goto: chain)
        }

        if targets.isEmpty {
            out.noEndpointElements.append(element(Self.noEndpointServices, clusterIP, port.port, Self.rejectChain))
            for ip in external { out.noEndpointElements.append(element(Self.noEndpointServices, ip, port.port, Self.rejectChain)) }
            if let nodePort = port.nodePort { out.noEndpointElements.append(element(Self.noEndpointNodePorts, nil, nodePort, Self.rejectChain)) }
            return
        }

        let hash = KubeChains.hash(portName + proto.iptablesName).prefix(8)
        let svcChain = "service-\(hash)-\(base)"
        let extChain = "external-\(hash)-\(base)"
        out.elements.append(element(Self.serviceIPs, clusterIP, port.port, svcChain))
        if port.nodePort != nil || !external.isEmpty {
            for ip in external { out.elements.append(element(Self.serviceIPs, ip, port.port, extChain)) }
            if let nodePort = port.nodePort { out.elements.append(element(Self.serviceNodePorts, nil, nodePort, extChain)) }
            // External traffic always leaves with the node's address, so replies come back here.
            out.chains.append(NFTChain(name: extChain, rules: [NFTRule(.jump(Self.markForMasquerade)), NFTRule(.goto(svcChain))]))
        }

        var svcRules: [NFTRule] = []
        let toClusterIP: [NFTStatement] = [.destination(address: clusterIP, prefix: 32, negated: false), .l4proto(proto), .destinationPort(port.port)]
        if options.masqueradeAll {
            svcRules.append(NFTRule(statements: toClusterIP + [.jump(Self.markForMasquerade)]))
        } else if let cluster = options.clusterCIDR.flatMap(IPv4Prefix.init) {
            // Off-cluster clients reaching a VIP are masqueraded so replies return through us.
            svcRules.append(NFTRule(statements: toClusterIP + [
                .source(address: cluster.address.value, prefix: cluster.length, negated: true), .jump(Self.markForMasquerade),
            ]))
        }
        let names = targets.map { target -> (chain: String, affinity: String) in
            let suffix = "\(KubeChains.hash(portName + proto.iptablesName + target.endpoint).prefix(8))-\(base)__\(target.ip)/\(target.endpoint.split(separator: ":").last ?? "")"
            return ("endpoint-\(suffix)", "affinity-\(suffix)")
        }
        var timeout: Int?
        if case .clientIP(let seconds) = service.sessionAffinity {
            timeout = seconds
            for name in names {
                out.sets.append(NFTSet(name: name.affinity, key: .address, isVerdictMap: false, timeoutSeconds: seconds))
                svcRules.append(NFTRule(.sourceInSet(name.affinity), .goto(name.chain)))
            }
        }
        let n = targets.count
        for (i, (target, name)) in zip(targets, names).enumerated() {
            svcRules.append(i < n - 1 ? NFTRule(.randomOneIn(n - i), .goto(name.chain)) : NFTRule(.goto(name.chain)))
            var rules = [
                // Hairpin: a pod reaching itself through the VIP must be masqueraded, or its
                // reply would skip the DNAT reversal.
                NFTRule(.source(address: IPv4Address(target.ip)?.value ?? 0, prefix: 32, negated: false), .jump(Self.markForMasquerade)),
            ]
            if timeout != nil { rules.append(NFTRule(.updateSourceInSet(name.affinity))) }
            let targetPort = Int(target.endpoint.split(separator: ":").last ?? "") ?? 0
            rules.append(NFTRule(.l4proto(proto), .dnat(address: IPv4Address(target.ip)?.value ?? 0, port: targetPort)))
            out.chains.append(NFTChain(name: name.chain, rules: rules))
        }
        out.chains.insert(NFTChain(name: svcChain, rules: svcRules), at: out.chains.count - n)
    }
}

/// A generated nf_tables ruleset and the Services that were skipped, one line each.
public struct NFTablesGenerated: Sendable, Equatable {
    public var ruleset: NFTablesRuleset
    public var problems: [String]
}

/// An `NFTablesGenerator` that recomputes only the Services whose spec or endpoints changed.
public final class CachingNFTablesGenerator: Sendable {
    public let generator: NFTablesGenerator
    private let cache = ServiceRulesCache<NFTServiceRules>()

    public init(options: ProxyOptions = ProxyOptions()) {
        self.generator = NFTablesGenerator(options: options)
    }

    /// As `NFTablesGenerator.generate(services:endpoints:)`.
    public func generate(services: [ServiceInfo], endpoints: [ServiceName: [EndpointInfo]]) -> NFTablesGenerated {
        generator.assemble(cache.parts(services: services, endpoints: endpoints) { generator.rules(for: $0, endpoints: $1) })
    }
}
