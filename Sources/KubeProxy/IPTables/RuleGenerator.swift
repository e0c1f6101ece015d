import Foundation
import NetAddress

/// Turns Services and their endpoints into kube-proxy's iptables layout (KUBE-SERVICES,
/// KUBE-SVC-*, KUBE-SEP-*, KUBE-EXT-*, KUBE-NODEPORTS, KUBE-MARK-MASQ, KUBE-POSTROUTING and the
/// filter chains). Pure: no I/O, same input gives the same text.
public struct RuleGenerator: Sendable {
    public var options: ProxyOptions

    public init(options: ProxyOptions = ProxyOptions()) {
        self.options = options
    }

    /// The rules for `services`, with `endpoints` keyed by Service. Services with invalid
    /// fields are left out and described in `problems`, so one bad Service never breaks the
    /// atomic restore of all the others.
    public func generate(services: [ServiceInfo], endpoints: [ServiceName: [EndpointInfo]]) -> GeneratedRules {
        assemble(services.sorted(by: { $0.serviceName < $1.serviceName }).filter { !$0.isHeadless }.map {
            rules(for: $0, endpoints: endpoints[$0.serviceName] ?? [])
        })
    }

    /// One Service's share of the ruleset, independent of every other Service.
    func rules(for service: ServiceInfo, endpoints: [EndpointInfo]) -> ServiceRules {
        var builder = Builder(options: options, clusterCIDR: validClusterCIDR)
        builder.add(service, endpoints: endpoints)
        return ServiceRules(
            filterServices: builder.filterServices, filterExternal: builder.filterExternal,
            natServices: builder.natServices, natNodePorts: builder.natNodePorts,
            chains: builder.serviceChains, problems: builder.problems)
    }

    /// The whole ruleset from per-Service parts, in the order given.
    func assemble(_ parts: [ServiceRules]) -> GeneratedRules {
        var builder = Builder(options: options, clusterCIDR: validClusterCIDR)
        if let cidr = options.clusterCIDR, validClusterCIDR == nil {
            builder.problems.append("proxy options: clusterCIDR \"\(cidr)\" is not an IPv4 CIDR; ignored")
        }
        for part in parts {
            builder.filterServices.append(contentsOf: part.filterServices)
            builder.filterExternal.append(contentsOf: part.filterExternal)
            builder.natServices.append(contentsOf: part.natServices)
            builder.natNodePorts.append(contentsOf: part.natNodePorts)
            builder.serviceChains.append(contentsOf: part.chains)
            builder.problems.append(contentsOf: part.problems)
        }
        return GeneratedRules(ruleset: builder.finish(), problems: builder.problems)
    }

    private var validClusterCIDR: String? {
        guard let cidr = options.clusterCIDR, IPv4Prefix(cidr) != nil else { return nil }
        return cidr
    }
}

/// One Service's rules: its lines in the shared dispatch chains and its own chains.
struct ServiceRules: Sendable, Equatable {
    var filterServices: [String]
    var filterExternal: [String]
    var natServices: [String]
    var natNodePorts: [String]
    var chains: [RuleChain]
    var problems: [String]
}

/// A generated ruleset and the Services that were skipped, one line each.
public struct GeneratedRules: Sendable, Equatable {
    public var ruleset: Ruleset
    public var problems: [String]
}

private struct Builder {
    let options: ProxyOptions
    let mark: String
    let clusterCIDR: String?
    var problems: [String] = []

    var filterServices: [String] = []
    var filterExternal: [String] = []
    var natServices: [String] = []
    var natNodePorts: [String] = []
    var serviceChains: [RuleChain] = []

    init(options: ProxyOptions, clusterCIDR: String?) {
        self.options = options
        self.mark = "0x" + String(options.masqueradeMark, radix: 16)
        self.clusterCIDR = clusterCIDR
    }

    mutating func add(_ service: ServiceInfo, endpoints: [EndpointInfo]) {
        let name = service.serviceName
        guard let problem = ServiceChecks.problem(in: service) else {
            let ready = endpoints.filter { $0.ready && IPv4Address($0.ip) != nil }
            for port in service.ports { add(port, of: service, endpoints: ready) }
            return
        }
        problems.append("service \(name): \(problem); skipped")
    }

    mutating func add(_ port: ServicePortInfo, of service: ServiceInfo, endpoints: [EndpointInfo]) {
        let portName = ServiceChecks.servicePortName(service, port)
        let proto = port.protocol.iptablesName
        let clusterIP = service.clusterIP ?? ""
        let externalIPs = ServiceChecks.unique(service.externalIPs)
        let loadBalancerIPs = ServiceChecks.unique(service.loadBalancerIngressIPs)
        let hasExternal = port.nodePort != nil || !externalIPs.isEmpty || !loadBalancerIPs.isEmpty
        let targets = ServiceChecks.backends(endpoints, portName: port.name)

        if targets.isEmpty {
            let comment = "\(portName) has no endpoints"
            filterServices.append(RuleText("-m", "comment", "--comment", comment, "-m", proto, "-p", proto, "-d", clusterIP, "--dport", "\(port.port)", "-j", "REJECT").text)
            for ip in externalIPs + loadBalancerIPs {
                filterExternal.append(RuleText("-m", "comment", "--comment", comment, "-m", proto, "-p", proto, "-d", ip, "--dport", "\(port.port)", "-j", "REJECT").text)
            }
            if let nodePort = port.nodePort {
                filterExternal.append(RuleText("-m", "comment", "--comment", comment, "-m", "addrtype", "--dst-type", "LOCAL", "-m", proto, "-p", proto, "--dport", "\(nodePort)", "-j", "REJECT").text)
            }
            return
        }

        let svcChain = KubeChains.serviceChain(portName, port.protocol)
        let extChain = KubeChains.externalChain(portName, port.protocol)
        natServices.append(RuleText("-m", "comment", "--comment", "\(portName) cluster IP", "-m", proto, "-p", proto, "-d", clusterIP, "--dport", "\(port.port)", "-j", svcChain).text)
        for ip in externalIPs {
            natServices.append(RuleText("-m", "comment", "--comment", "\(portName) external IP", "-m", proto, "-p", proto, "-d", ip, "--dport", "\(port.port)", "-j", extChain).text)
        }
        for ip in loadBalancerIPs {
            natServices.append(RuleText("-m", "comment", "--comment", "\(portName) loadbalancer IP", "-m", proto, "-p", proto, "-d", ip, "--dport", "\(port.port)", "-j", extChain).text)
        }
        if let nodePort = port.nodePort {
            natNodePorts.append(RuleText("-m", "comment", "--comment", portName, "-m", proto, "-p", proto, "--dport", "\(nodePort)", "-j", extChain).text)
        }
        if hasExternal {
            // External traffic always leaves with the node's address, so replies come back here.
            serviceChains.append(RuleChain(name: extChain, rules: [
                RuleText("-m", "comment", "--comment", "masquerade traffic for \(portName) external destinations", "-j", KubeChains.markMasq).text,
                RuleText("-j", svcChain).text,
            ]))
        }

        var svcRules: [String] = []
        var masq = RuleText("-m", "comment", "--comment", "\(portName) cluster IP", "-m", proto, "-p", proto, "-d", clusterIP, "--dport", "\(port.port)")
        if options.masqueradeAll {
            masq.append("-j", KubeChains.markMasq)
            svcRules.append(masq.text)
        } else if let cidr = clusterCIDR {
            // Off-cluster clients reaching a VIP are masqueraded so replies return through us.
            masq.append("!", "-s", cidr, "-j", KubeChains.markMasq)
            svcRules.append(masq.text)
        }
        let sepChains = targets.map { KubeChains.endpointChain(portName, port.protocol, endpoint: $0.endpoint) }
        if case .clientIP(let timeout) = service.sessionAffinity {
            for (target, sep) in zip(targets, sepChains) {
                svcRules.append(RuleText("-m", "comment", "--comment", "\(portName) -> \(target.endpoint)", "-m", "recent", "--name", sep, "--rcheck", "--seconds", "\(timeout)", "--reap", "-j", sep).text)
            }
        }
        let n = targets.count
        var endpointChains: [RuleChain] = []
        for (i, (target, sep)) in zip(targets, sepChains).enumerated() {
            var pick = RuleText("-m", "comment", "--comment", "\(portName) -> \(target.endpoint)")
            if i < n - 1 { pick.append("-m", "statistic", "--mode", "random", "--probability", probability(n - i)) }
            pick.append("-j", sep)
            svcRules.append(pick.text)

            // Hairpin: a pod reaching itself through the VIP must be masqueraded, or its
            // reply would skip the DNAT reversal.
            var dnat = RuleText("-m", "comment", "--comment", portName)
            if case .clientIP = service.sessionAffinity { dnat.append("-m", "recent", "--name", sep, "--set") }
            dnat.append("-m", proto, "-p", proto, "-j", "DNAT", "--to-destination", target.endpoint)
            endpointChains.append(RuleChain(name: sep, rules: [
                RuleText("-m", "comment", "--comment", portName, "-s", target.ip, "-j", KubeChains.markMasq).text,
                dnat.text,
            ]))
        }
        serviceChains.append(RuleChain(name: svcChain, rules: svcRules))
        serviceChains.append(contentsOf: endpointChains)
    }

    /// `1/n` formatted as kube-proxy does (`%0.10f`).
    func probability(_ n: Int) -> String {
        n < Self.probabilities.count ? Self.probabilities[n] : String(format: "%0.10f", 1.0 / Double(n))
    }

    static let probabilities: [String] = (0..<128).map { $0 == 0 ? "" : String(format: "%0.10f", 1.0 / Double($0)) }

    func finish() -> Ruleset {
        let nodePortsComment = "kubernetes service nodeports; NOTE: this must be the last rule in this chain"
        var natServices = self.natServices
        if options.nodePortAddresses.isEmpty {
            natServices.append(RuleText("-m", "comment", "--comment", nodePortsComment, "-m", "addrtype", "--dst-type", "LOCAL", "-j", KubeChains.nodePorts).text)
        } else {
            for ip in options.nodePortAddresses {
                natServices.append(RuleText("-m", "comment", "--comment", nodePortsComment, "-d", ip, "-j", KubeChains.nodePorts).text)
            }
        }
        var masquerade = RuleText("-m", "comment", "--comment", "kubernetes service traffic requiring SNAT", "-j", "MASQUERADE")
        if options.randomFully { masquerade.append("--random-fully") }
        let nat = RuleTable(name: "nat", chains: [
            RuleChain(name: KubeChains.services, rules: natServices),
            RuleChain(name: KubeChains.nodePorts, rules: natNodePorts),
            RuleChain(name: KubeChains.markMasq, rules: [RuleText("-j", "MARK", "--or-mark", mark).text]),
            RuleChain(name: KubeChains.postrouting, rules: [
                RuleText("-m", "mark", "!", "--mark", "\(mark)/\(mark)", "-j", "RETURN").text,
                RuleText("-j", "MARK", "--xor-mark", mark).text,
                masquerade.text,
            ]),
        ] + serviceChains)
        let filter = RuleTable(name: "filter", chains: [
            RuleChain(name: KubeChains.services, rules: filterServices),
            RuleChain(name: KubeChains.externalServices, rules: filterExternal),
            RuleChain(name: KubeChains.forward, rules: [
                RuleText("-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP").text,
                RuleText("-m", "comment", "--comment", "kubernetes forwarding rules", "-m", "mark", "--mark", "\(mark)/\(mark)", "-j", "ACCEPT").text,
                RuleText("-m", "comment", "--comment", "kubernetes forwarding conntrack rule", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT").text,
            ]),
        ])
        return Ruleset(filter: filter, nat: nat)
    }
}
