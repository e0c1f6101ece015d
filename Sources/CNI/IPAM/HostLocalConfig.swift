import NetAddress

/// The `ipam` section of a network config for `"type": "host-local"`, as the reference
/// host-local reads it: `ranges` (or the older top-level `subnet`...), `routes`, `dataDir`.
public struct HostLocalConfig: Equatable, Sendable {
    /// One range of a range set: addresses from `rangeStart` to `rangeEnd` of `subnet`.
    public struct Range: Equatable, Sendable {
        public var subnet: IPv4Prefix
        public var rangeStart: IPv4Address
        public var rangeEnd: IPv4Address
        public var gateway: IPv4Address?

        public func contains(_ ip: IPv4Address) -> Bool { ip >= rangeStart && ip <= rangeEnd }
    }

    public static let defaultDataDir = "/var/lib/cni/networks"

    /// Each range set gives one address; a set is tried range by range.
    public var rangeSets: [[Range]]
    public var routes: [CNIResult.Route]
    public var dataDir: String
    /// A resolv.conf whose nameserver/domain/search/options become the result's `dns`.
    public var resolvConf: String?

    /// Reads and checks the `ipam` object; errors name the field (`ipam.ranges[0][0].subnet`).
    public init(ipam: JSONValue) throws {
        func invalid(_ message: String) -> CNIError { CNIError(.invalidNetworkConfig, message) }
        guard ipam.objectValue != nil else { throw invalid("ipam must be a JSON object") }
        var sets: [[Range]] = []
        if let ranges = ipam["ranges"] {
            guard let outer = ranges.arrayValue, !outer.isEmpty else {
                throw invalid("ipam.ranges must be a non-empty array of range sets")
            }
            for (i, set) in outer.enumerated() {
                guard let inner = set.arrayValue, !inner.isEmpty else {
                    throw invalid("ipam.ranges[\(i)] must be a non-empty array of ranges")
                }
                sets.append(
                    try inner.enumerated().map { j, r in
                        try HostLocalConfig.range(r, field: "ipam.ranges[\(i)][\(j)]")
                    })
            }
        } else if ipam["subnet"] != nil {
            sets = [[try HostLocalConfig.range(ipam, field: "ipam")]]
        } else {
            throw invalid("ipam: no address ranges (set \"ranges\" or \"subnet\")")
        }
        for (i, set) in sets.enumerated() {
            for a in 0..<set.count {
                for b in (a + 1)..<set.count
                where set[a].rangeStart <= set[b].rangeEnd && set[b].rangeStart <= set[a].rangeEnd {
                    throw invalid("ipam.ranges[\(i)]: ranges \(a) and \(b) overlap")
                }
            }
        }
        rangeSets = sets
        routes = try (ipam["routes"]?.arrayValue ?? []).enumerated().map { i, r in
            guard let dst = r["dst"]?.stringValue, IPv4Prefix(dst) != nil || dst.contains(":") else {
                throw invalid("ipam.routes[\(i)].dst must be a CIDR")
            }
            let gw = r["gw"]?.stringValue
            if let gw, IPv4Address(gw) == nil && !gw.contains(":") {
                throw invalid("ipam.routes[\(i)].gw must be an IP address, got \"\(gw)\"")
            }
            return CNIResult.Route(dst: dst, gw: gw)
        }
        if let dir = ipam["dataDir"] {
            guard let s = dir.stringValue, !s.isEmpty else { throw invalid("ipam.dataDir must be a path") }
            // A relative store would land in whatever directory the runtime exec'd us from.
            guard s.hasPrefix("/") else { throw invalid("ipam.dataDir must be an absolute path, not \(s)") }
            dataDir = s
        } else {
            dataDir = HostLocalConfig.defaultDataDir
        }
        if let v = ipam["resolvConf"] {
            guard let s = v.stringValue else { throw invalid("ipam.resolvConf must be a path") }
            resolvConf = s
        }
    }

    /// The CNI `dns` object for a resolv.conf text (pure).
    public static func dns(fromResolvConf text: String) -> JSONValue {
        var nameservers: [JSONValue] = []
        var search: [JSONValue] = []
        var options: [JSONValue] = []
        var domain: String?
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let key = fields.first, !key.hasPrefix("#"), !key.hasPrefix(";") else { continue }
            let values = fields.dropFirst()
            switch key {
            case "nameserver": nameservers += values.prefix(1).map { .string($0) }
            case "domain": domain = values.first
            case "search": search = values.map { .string($0) }
            case "options": options += values.map { .string($0) }
            default: break
            }
        }
        var members: [(String, JSONValue)] = []
        if !nameservers.isEmpty { members.append(("nameservers", .array(nameservers))) }
        if let domain { members.append(("domain", .string(domain))) }
        if !search.isEmpty { members.append(("search", .array(search))) }
        if !options.isEmpty { members.append(("options", .array(options))) }
        return .object(members)
    }

    private static func range(_ r: JSONValue, field: String) throws -> Range {
        func invalid(_ message: String) -> CNIError { CNIError(.invalidNetworkConfig, "\(field).\(message)") }
        func address(_ key: String) throws -> IPv4Address? {
            guard let v = r[key] else { return nil }
            guard let s = v.stringValue, let ip = IPv4Address(s) else {
                throw invalid("\(key) must be an IPv4 address, got \(v.serialized())")
            }
            return ip
        }
        guard let text = r["subnet"]?.stringValue else { throw invalid("subnet is missing") }
        guard let subnet = IPv4Prefix(text) else {
            throw invalid("subnet must be an IPv4 CIDR, got \"\(text)\"")
        }
        guard subnet.address == subnet.network else {
            throw invalid("subnet \(text) has host bits set (use \(subnet.masked))")
        }
        guard subnet.length <= 30 else { throw invalid("subnet \(text) is too small to allocate from") }
        let start = try address("rangeStart") ?? IPv4Address(subnet.network.value + 1)
        let end = try address("rangeEnd") ?? IPv4Address(subnet.broadcast.value - 1)
        let gateway = try address("gateway") ?? IPv4Address(subnet.network.value + 1)
        guard subnet.contains(start), start != subnet.network, start != subnet.broadcast else {
            throw invalid("rangeStart \(start) is not a host address of \(subnet)")
        }
        guard subnet.contains(end), end != subnet.network, end != subnet.broadcast else {
            throw invalid("rangeEnd \(end) is not a host address of \(subnet)")
        }
        guard start <= end else { throw invalid("rangeStart \(start) is after rangeEnd \(end)") }
        return Range(subnet: subnet, rangeStart: start, rangeEnd: end, gateway: gateway)
    }
}
