import NetAddress

/// The result of an ADD (and the prevResult of CHECK and DEL), in the CNI 1.0 layout.
/// Parses the 0.3.x/0.4.0 layout too (the same shape plus `version` on each IP).
public struct CNIResult: Equatable, Sendable {
    /// One interface the plugin created or touched; `sandbox` is the netns path for the
    /// container side.
    public struct Interface: Equatable, Sendable {
        public var name: String
        public var mac: String?
        public var mtu: Int?
        public var sandbox: String?
        public init(name: String, mac: String? = nil, mtu: Int? = nil, sandbox: String? = nil) {
            self.name = name
            self.mac = mac
            self.mtu = mtu
            self.sandbox = sandbox
        }
    }

    /// An address given to an interface (index into `interfaces`).
    public struct IPConfig: Equatable, Sendable {
        public var address: String
        public var gateway: String?
        public var interface: Int?
        public init(address: String, gateway: String? = nil, interface: Int? = nil) {
            self.address = address
            self.gateway = gateway
            self.interface = interface
        }
    }

    public struct Route: Equatable, Sendable {
        public var dst: String
        public var gw: String?
        public init(dst: String, gw: String? = nil) {
            self.dst = dst
            self.gw = gw
        }
    }

    public var cniVersion: String
    public var interfaces: [Interface]
    public var ips: [IPConfig]
    public var routes: [Route]
    /// The `dns` object as given (nameservers, domain, search, options).
    public var dns: JSONValue

    public init(
        cniVersion: String, interfaces: [Interface] = [], ips: [IPConfig] = [],
        routes: [Route] = [], dns: JSONValue = .object([])
    ) {
        self.cniVersion = cniVersion
        self.interfaces = interfaces
        self.ips = ips
        self.routes = routes
        self.dns = dns
    }

    /// The IPv4 addresses (with prefix) of the sandbox interfaces: the pod's IPs.
    public var sandboxAddresses: [IPv4Prefix] {
        ips.compactMap { ip in
            if let i = ip.interface {
                guard interfaces.indices.contains(i), interfaces[i].sandbox != nil else { return nil }
            }
            return IPv4Prefix(ip.address)
        }
    }

    /// The result as JSON for `cniVersion` (the 0.3/0.4 layout adds `version` per IP).
    public var json: JSONValue {
        let legacy = cniVersion.hasPrefix("0.")
        var members: [(String, JSONValue)] = [("cniVersion", .string(cniVersion))]
        if !interfaces.isEmpty {
            members.append(
                (
                    "interfaces",
                    .array(
                        interfaces.map { i in
                            var o: [(String, JSONValue)] = [("name", .string(i.name))]
                            if let mac = i.mac { o.append(("mac", .string(mac))) }
                            if let mtu = i.mtu { o.append(("mtu", JSONValue(mtu))) }
                            if let sandbox = i.sandbox { o.append(("sandbox", .string(sandbox))) }
                            return .object(o)
                        })
                ))
        }
        if !ips.isEmpty {
            members.append(
                (
                    "ips",
                    .array(
                        ips.map { ip in
                            var o: [(String, JSONValue)] = []
                            if legacy { o.append(("version", .string(ip.address.contains(":") ? "6" : "4"))) }
                            if let i = ip.interface { o.append(("interface", JSONValue(i))) }
                            o.append(("address", .string(ip.address)))
                            if let gw = ip.gateway { o.append(("gateway", .string(gw))) }
                            return .object(o)
                        })
                ))
        }
        if !routes.isEmpty {
            members.append(
                (
                    "routes",
                    .array(
                        routes.map { r in
                            var o: [(String, JSONValue)] = [("dst", .string(r.dst))]
                            if let gw = r.gw { o.append(("gw", .string(gw))) }
                            return .object(o)
                        })
                ))
        }
        members.append(("dns", dns))
        return .object(members)
    }

    /// Reads a result; `source` names it in errors.
    public init(json: JSONValue, source: String = "result") throws {
        guard json.objectValue != nil else {
            throw CNIError(.decodingFailure, "\(source): a result must be a JSON object")
        }
        func fail(_ what: String) -> CNIError { CNIError(.decodingFailure, "\(source): \(what)") }
        cniVersion = json["cniVersion"]?.stringValue ?? "1.0.0"
        interfaces = try (json["interfaces"]?.arrayValue ?? []).enumerated().map { n, i in
            guard let name = i["name"]?.stringValue else { throw fail("interfaces[\(n)].name is missing") }
            return Interface(
                name: name, mac: i["mac"]?.stringValue, mtu: i["mtu"]?.intValue,
                sandbox: i["sandbox"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 })
        }
        ips = try (json["ips"]?.arrayValue ?? []).enumerated().map { n, ip in
            guard let address = ip["address"]?.stringValue else { throw fail("ips[\(n)].address is missing") }
            return IPConfig(address: address, gateway: ip["gateway"]?.stringValue, interface: ip["interface"]?.intValue)
        }
        routes = try (json["routes"]?.arrayValue ?? []).enumerated().map { n, r in
            guard let dst = r["dst"]?.stringValue else { throw fail("routes[\(n)].dst is missing") }
            return Route(dst: dst, gw: r["gw"]?.stringValue)
        }
        dns = json["dns"] ?? .object([])
    }
}
