/// Where a request goes: the Ingress rules of every Ingress this controller handles, with
/// their backends resolved to ready endpoints. Pure: built once per change, read by every
/// request.
///
/// A request's host picks the rules (an exact host before a `*.` wildcard before rules with
/// no host); among their paths the longest match wins (Exact before Prefix at the same
/// length); with no match, the first Ingress's `defaultBackend` (by namespace and name).
public struct RoutingTable: Sendable {
    public enum Route: Sendable, Equatable {
        /// Ready endpoints (`ip:port`) of the matched backend.
        case endpoints([String], ingress: String, service: String)
        /// The backend has no ready endpoint: 503.
        case unavailable(ingress: String, service: String)
        /// No rule and no default backend: 404.
        case notFound
    }

    struct Entry: Sendable {
        var host: String?
        var path: String
        var type: IngressSpec.PathType
        var ingress: String
        var namespace: String
        var backend: IngressSpec.Backend
    }

    private var entries: [Entry] = []
    private var defaultBackend: (ingress: String, namespace: String, backend: IngressSpec.Backend)?
    private var services: [ServiceName: ServiceTargets] = [:]

    public init() {}

    public init(ingresses: [IngressSpec], services: [ServiceName: ServiceTargets]) {
        self.services = services
        for ingress in ingresses.sorted(by: { ($0.namespace, $0.name) < ($1.namespace, $1.name) }) where ingress.isOurs {
            if defaultBackend == nil, let backend = ingress.defaultBackend {
                defaultBackend = (ingress.fullName, ingress.namespace, backend)
            }
            for rule in ingress.rules {
                let host = (rule.host?.isEmpty ?? true) ? nil : rule.host?.lowercased()
                for path in rule.paths {
                    entries.append(Entry(host: host, path: path.path, type: path.type, ingress: ingress.fullName,
                                         namespace: ingress.namespace, backend: path.backend))
                }
            }
        }
        // Longest first; at the same length Exact first: the first match is the one.
        entries.sort { a, b in
            if a.path.count != b.path.count { return a.path.count > b.path.count }
            return a.type == .exact && b.type != .exact
        }
    }

    public var isEmpty: Bool { entries.isEmpty && defaultBackend == nil }

    /// The route of a request for `host` (a Host header, port allowed) and `target` (path
    /// and query).
    public func route(host: String, target: String) -> Route {
        let host = HostPattern.hostOnly(host)
        let path = Self.path(of: target)
        let tiers: [(Entry) -> Bool] = [
            { $0.host == host },
            { $0.host.map { $0.hasPrefix("*.") && HostPattern.matches($0, host) } ?? false },
            { $0.host == nil },
        ]
        for tier in tiers {
            if let entry = entries.first(where: { tier($0) && Self.matches($0.type, $0.path, path) }) {
                return resolve(entry.backend, namespace: entry.namespace, ingress: entry.ingress)
            }
        }
        if let fallback = defaultBackend { return resolve(fallback.backend, namespace: fallback.namespace, ingress: fallback.ingress) }
        return .notFound
    }

    private func resolve(_ backend: IngressSpec.Backend, namespace: String, ingress: String) -> Route {
        let endpoints = services[ServiceName(namespace: namespace, name: backend.service)]?.endpoints(for: backend.port) ?? []
        let service = namespace + "/" + backend.service
        return endpoints.isEmpty ? .unavailable(ingress: ingress, service: service) : .endpoints(endpoints, ingress: ingress, service: service)
    }

    /// The path of a request target, without query or fragment.
    static func path(of target: String) -> String {
        var path = Substring(target)
        if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<cut] }
        // An absolute-form target (`http://host/path`), as proxies may be sent.
        if path.hasPrefix("http://") || path.hasPrefix("https://") {
            let rest = path.drop(while: { $0 != "/" }).dropFirst(2)
            path = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        return path.isEmpty ? "/" : String(path)
    }

    /// Exact: the whole path. Prefix (and ImplementationSpecific): element by element, so
    /// `/foo` matches `/foo` and `/foo/bar` but not `/foobar`; a trailing `/` is ignored.
    static func matches(_ type: IngressSpec.PathType, _ rule: String, _ path: String) -> Bool {
        switch type {
        case .exact:
            return rule == path
        case .prefix, .implementationSpecific:
            var prefix = Substring(rule)
            while prefix.count > 1 && prefix.hasSuffix("/") { prefix = prefix.dropLast() }
            if prefix == "/" { return true }
            return path == prefix || path.hasPrefix(prefix + "/")
        }
    }
}
