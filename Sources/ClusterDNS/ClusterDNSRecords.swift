/// The cluster DNS zone as a pure, immutable table built from Services, answering queries
/// the way CoreDNS's kubernetes plugin does (`pods insecure`, reverse zones falling through):
///
/// - `<svc>.<ns>.svc.<domain>`: A/AAAA of the cluster IP; for a headless Service, of each
///   ready endpoint; CNAME for an ExternalName Service.
/// - `<hostname or dashed-ip>.<svc>.<ns>.svc.<domain>`: each ready endpoint of a headless Service.
/// - `_<port>._<proto>.<svc>.<ns>.svc.<domain>`: SRV per named port, targeting the Service
///   name (or each endpoint name if headless), with address records in the additional section.
/// - `<a-b-c-d>.<ns>.pod.<domain>`: the address the name spells.
/// - PTR under in-addr.arpa / ip6.arpa for cluster IPs and headless endpoint IPs.
/// - NXDOMAIN (with the zone's SOA) for any other name in the domain; NODATA for names that
///   exist without the asked type.
public struct ClusterDNSRecords: Sendable {
    /// CoreDNS's default record TTL.
    public static let defaultTTL: UInt32 = 5

    public let clusterDomain: DNSName
    public let ttl: UInt32
    /// One line per Service (or address) left out of the table, naming it and the reason.
    public private(set) var problems: [String] = []

    private var records: [DNSName: [DNSRecordData]] = [:]
    /// Names that exist: owners of records and every ancestor up to the domain.
    private var existing: Set<DNSName> = []
    private var reverse: [DNSName: [DNSName]] = [:]
    private let soa: DNSResourceRecord
    private let reverseZones = [DNSName("in-addr.arpa")!, DNSName("ip6.arpa")!]

    /// Builds the table. `serial` is the SOA serial; callers bump it when the table changes.
    public init(services: [DNSServiceRecord], clusterDomain: String = "cluster.local",
                ttl: UInt32 = ClusterDNSRecords.defaultTTL, serial: UInt32 = 1) {
        let domain = DNSName(clusterDomain) ?? DNSName("cluster.local")!
        self.clusterDomain = domain
        self.ttl = ttl
        soa = Self.soaRecord(zone: domain, ttl: ttl, serial: serial)
        let svcZone = domain.prepending("svc")
        for zone in [domain, svcZone, domain.prepending("pod")] { existing.insert(zone) }
        add(domain.prepending("dns-version"), .txt([Array("1.1.0".utf8)]))
        add(domain, .ns(domain.prepending("dns").prepending("ns")))

        let sorted = services.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        for service in sorted {
            guard let namespaceZone = DNSName("\(service.namespace).\(svcZone.key)"),
                  service.namespace.count <= 63, service.name.count <= 63, !service.name.contains("."),
                  !service.namespace.contains("."), !service.name.isEmpty, !service.namespace.isEmpty,
                  let base = DNSName("\(service.name).\(namespaceZone.key)") else {
                problems.append("service \(service.namespace)/\(service.name): name is not a DNS label")
                continue
            }
            existing.insert(namespaceZone)
            if let externalName = service.externalName {
                guard let target = DNSName(externalName) else {
                    problems.append("service \(service.namespace)/\(service.name): externalName \"\(externalName)\" is not a DNS name")
                    continue
                }
                add(base, .cname(target))
            } else if let clusterIP = service.clusterIP {
                addClusterIPService(service, clusterIP: clusterIP, base: base)
            } else {
                addHeadlessService(service, base: base)
            }
            if service.namespace == "kube-system", service.name == "kube-dns",
               let ip = service.clusterIP.flatMap(DNSAddressText.bytes(of:)) {
                add(domain.prepending("dns").prepending("ns"), DNSAddressText.record(for: ip))
            }
        }
    }

    private mutating func addClusterIPService(_ service: DNSServiceRecord, clusterIP: String, base: DNSName) {
        guard let ip = DNSAddressText.bytes(of: clusterIP) else {
            problems.append("service \(service.namespace)/\(service.name): clusterIP \"\(clusterIP)\" is not an IP address")
            return
        }
        add(base, DNSAddressText.record(for: ip))
        reverse[DNSAddressText.reverseName(of: ip), default: []].append(base)
        for port in service.ports where (1...65535).contains(port.port) {
            let srv = DNSRecordData.srv(priority: 0, weight: 100, port: UInt16(port.port), target: base)
            add(base, srv)
            if let owner = Self.srvName(port, base) { add(owner, srv) }
        }
    }

    private mutating func addHeadlessService(_ service: DNSServiceRecord, base: DNSName) {
        existing.insert(base)
        var seen: Set<[UInt8]> = []
        var members: [(ip: [UInt8], name: DNSName)] = []
        for endpoint in service.endpoints where endpoint.ready {
            guard let ip = DNSAddressText.bytes(of: endpoint.ip) else {
                problems.append("service \(service.namespace)/\(service.name): endpoint ip \"\(endpoint.ip)\" is not an IP address")
                continue
            }
            let label = endpoint.hostname.flatMap { $0.isEmpty ? nil : $0 } ?? DNSAddressText.dashed(endpoint.ip)
            guard seen.insert(ip).inserted, label.count <= 63, !label.contains("."),
                  let name = DNSName("\(label).\(base.key)") else { continue }
            members.append((ip, name))
            add(base, DNSAddressText.record(for: ip))
            add(name, DNSAddressText.record(for: ip))
            reverse[DNSAddressText.reverseName(of: ip), default: []].append(name)
        }
        guard !members.isEmpty else { return }
        // CoreDNS spreads a weight of 100 over the addresses behind a name, then merges
        // records with the same target.
        let weight = UInt16(100 / members.count)
        for port in service.ports where (1...65535).contains(port.port) {
            var targets: Set<DNSName> = []
            for member in members where targets.insert(member.name).inserted {
                let srv = DNSRecordData.srv(priority: 0, weight: weight, port: UInt16(port.port), target: member.name)
                add(base, srv)
                if let owner = Self.srvName(port, base) { add(owner, srv) }
            }
        }
    }

    /// `_<name>._<proto>.<base>` for a named port.
    private static func srvName(_ port: DNSServiceRecord.Port, _ base: DNSName) -> DNSName? {
        guard !port.name.isEmpty else { return nil }
        return DNSName("_\(port.name)._\(port.protocol.lowercased()).\(base.key)")
    }

    private mutating func add(_ name: DNSName, _ data: DNSRecordData) {
        if records[name]?.contains(data) == true { return }
        records[name, default: []].append(data)
        var ancestor = name
        while ancestor.labels.count >= clusterDomain.labels.count, existing.insert(ancestor).inserted {
            ancestor = ancestor.dropping(1)
        }
    }

    private static func soaRecord(zone: DNSName, ttl: UInt32, serial: UInt32) -> DNSResourceRecord {
        DNSResourceRecord(name: zone, ttl: ttl, data: .soa(DNSStartOfAuthority(
            primaryNameServer: zone.prepending("dns").prepending("ns"), mailbox: zone.prepending("hostmaster"),
            serial: serial, refresh: 7200, retry: 1800, expire: 86400, minimumTTL: ttl)))
    }

    /// True when queries for `name` are answered from this table rather than forwarded.
    public func isAuthoritative(for name: DNSName) -> Bool {
        if name.isSubdomain(of: clusterDomain) { return true }
        return reverse[name] != nil
    }

    /// The authoritative reply to a query, or nil when its name is outside the cluster
    /// domain (and not a known cluster address under the reverse zones), so the server
    /// forwards it upstream.
    public func answer(_ query: DNSMessage) -> DNSMessage? {
        guard let question = query.questions.first, isAuthoritative(for: question.name) else { return nil }
        var reply = query.reply()
        reply.authoritative = true
        guard question.recordClass == .internet || question.recordClass == .any else {
            reply.rcode = .refused
            return reply
        }
        if let targets = reverse[question.name] {
            if question.type == .ptr || question.type == .any {
                reply.answers = targets.map { DNSResourceRecord(name: question.name, ttl: ttl, data: .ptr($0)) }
            } else {
                let zone = reverseZones.first { question.name.isSubdomain(of: $0) }!
                reply.authorities = [Self.soaRecord(zone: zone, ttl: ttl, serial: soaSerial)]
            }
            return reply
        }
        if question.name == clusterDomain, question.type == .soa || question.type == .any {
            reply.answers.append(DNSResourceRecord(name: question.name, ttl: ttl, data: soa.data))
        }
        var owner = question.name
        var found = lookup(owner)
        // Follow CNAMEs that stay inside the table, as CoreDNS does for ExternalName
        // Services pointing at another Service.
        var hops = 0
        while let data = found, question.type != .cname, question.type != .any,
              case .cname(let target)? = data.first(where: { $0.type == .cname }), hops < 8 {
            reply.answers.append(DNSResourceRecord(name: owner, ttl: ttl, data: .cname(target)))
            owner = target
            found = lookup(target)
            hops += 1
        }
        guard let data = found else {
            if hops == 0 {
                reply.rcode = .nameError
                reply.authorities = [soa]
            }
            return reply
        }
        let matching = data.filter { question.type == .any || $0.type == question.type }
        let ownerTTL = owner.key == clusterDomain.prepending("dns-version").key ? 28800 : ttl
        reply.answers += matching.map { DNSResourceRecord(name: owner, ttl: ownerTTL, data: $0) }
        for case .srv(_, _, _, let target) in matching {
            for address in lookup(target) ?? [] where address.type == .a || address.type == .aaaa {
                let record = DNSResourceRecord(name: target, ttl: ttl, data: address)
                if !reply.additionals.contains(record) { reply.additionals.append(record) }
            }
        }
        if reply.answers.isEmpty { reply.authorities = [soa] }
        return reply
    }

    /// The SOA serial this table was built with.
    public var soaSerial: UInt32 {
        if case .soa(let fields) = soa.data { return fields.serial }
        return 0
    }

    /// The records at a name: nil when the name does not exist, [] when it exists without data.
    private func lookup(_ name: DNSName) -> [DNSRecordData]? {
        if let data = records[name] { return data }
        if existing.contains(name) { return [] }
        // `<dashed-ip>.<ns>.pod.<domain>`: any namespace, any address (`pods insecure`).
        let podZone = clusterDomain.prepending("pod")
        if name.labels.count == podZone.labels.count + 2, name.isSubdomain(of: podZone),
           let ip = DNSAddressText.undashed(String(decoding: name.labels[0], as: UTF8.self)) {
            return [DNSAddressText.record(for: ip)]
        }
        if name.labels.count == podZone.labels.count + 1, name.isSubdomain(of: podZone) {
            return []
        }
        return nil
    }
}
