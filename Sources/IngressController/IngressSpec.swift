import APIStore

/// One Ingress as the controller routes it (`networking.k8s.io/v1`), read from the API's
/// JSON: its rules, its default backend, its TLS hosts with their Secrets.
public struct IngressSpec: Sendable, Hashable {
    public enum PathType: String, Sendable, Hashable {
        case exact = "Exact"
        case prefix = "Prefix"
        /// Upstream leaves it to the controller; ingress-nginx treats it as Prefix, so do we.
        case implementationSpecific = "ImplementationSpecific"
    }

    /// A Service port named by number or by name (`service.port.number` / `.name`).
    public enum ServicePort: Sendable, Hashable {
        case number(Int)
        case name(String)
    }

    public struct Backend: Sendable, Hashable {
        public var service: String
        public var port: ServicePort
        public init(service: String, port: ServicePort) {
            self.service = service
            self.port = port
        }
    }

    public struct Path: Sendable, Hashable {
        public var path: String
        public var type: PathType
        public var backend: Backend
        public init(path: String, type: PathType, backend: Backend) {
            self.path = path
            self.type = type
            self.backend = backend
        }
    }

    public struct Rule: Sendable, Hashable {
        /// nil or empty: every host.
        public var host: String?
        public var paths: [Path]
        public init(host: String?, paths: [Path]) {
            self.host = host
            self.paths = paths
        }
    }

    public struct TLS: Sendable, Hashable {
        public var hosts: [String]
        public var secretName: String
        public init(hosts: [String], secretName: String) {
            self.hosts = hosts
            self.secretName = secretName
        }
    }

    public var namespace: String
    public var name: String
    public var className: String?
    public var defaultBackend: Backend?
    public var rules: [Rule]
    public var tls: [TLS]

    public init(namespace: String, name: String, className: String? = nil, defaultBackend: Backend? = nil, rules: [Rule] = [], tls: [TLS] = []) {
        self.namespace = namespace
        self.name = name
        self.className = className
        self.defaultBackend = defaultBackend
        self.rules = rules
        self.tls = tls
    }

    /// The Ingress class this controller answers for (and is the default class).
    public static let ourClass = "swiftlet"

    /// Whether this controller handles it: no class (the default class is ours) or ours.
    public var isOurs: Bool { className == nil || className == "" || className == Self.ourClass }

    public var fullName: String { namespace + "/" + name }
}

/// A bad Ingress: one line naming the object and the field.
public struct IngressError: Error, Sendable, Hashable, CustomStringConvertible {
    public var ingress: String
    public var field: String
    public var reason: String
    public var description: String { "Ingress \(ingress): \(field): \(reason)" }
}

extension IngressSpec {
    /// Reads a stored Ingress; the first bad field is the error.
    public static func parse(_ object: JSONValue) -> Result<IngressSpec, IngressError> {
        let namespace = object[path: ["metadata", "namespace"]]?.string ?? "default"
        let name = object[path: ["metadata", "name"]]?.string ?? ""
        let full = namespace + "/" + name
        func fail(_ field: String, _ reason: String) -> Result<IngressSpec, IngressError> {
            .failure(IngressError(ingress: full, field: field, reason: reason))
        }
        var spec = IngressSpec(namespace: namespace, name: name)
        spec.className = object[path: ["spec", "ingressClassName"]]?.string
            ?? object[path: ["metadata", "annotations", "kubernetes.io/ingress.class"]]?.string
        if let value = object[path: ["spec", "defaultBackend"]], !value.isNull {
            switch backend(value, field: "spec.defaultBackend") {
            case .success(let backend): spec.defaultBackend = backend
            case .failure(let error): return fail(error.field, error.reason)
            }
        }
        for (r, rule) in (object[path: ["spec", "rules"]]?.arrayValue ?? []).enumerated() {
            let host = rule["host"]?.string
            if let host, !host.isEmpty, !HostPattern.isValid(host) {
                return fail("spec.rules[\(r)].host", "\"\(host)\" is not a DNS name or a *.wildcard of one")
            }
            var paths: [Path] = []
            for (p, item) in (rule[path: ["http", "paths"]]?.arrayValue ?? []).enumerated() {
                let field = "spec.rules[\(r)].http.paths[\(p)]"
                let typeText = item["pathType"]?.string ?? ""
                guard let type = PathType(rawValue: typeText) else {
                    return fail(field + ".pathType", "must be Exact, Prefix or ImplementationSpecific, not \"\(typeText)\"")
                }
                let path = item["path"]?.string ?? "/"
                guard path.hasPrefix("/") else { return fail(field + ".path", "\"\(path)\" must begin with /") }
                guard let value = item["backend"] else { return fail(field + ".backend", "required") }
                switch backend(value, field: field + ".backend") {
                case .success(let backend): paths.append(Path(path: path, type: type, backend: backend))
                case .failure(let error): return fail(error.field, error.reason)
                }
            }
            spec.rules.append(Rule(host: host, paths: paths))
        }
        for (t, item) in (object[path: ["spec", "tls"]]?.arrayValue ?? []).enumerated() {
            let hosts = (item["hosts"]?.arrayValue ?? []).compactMap(\.string)
            guard let secret = item["secretName"]?.string, !secret.isEmpty else {
                return fail("spec.tls[\(t)].secretName", "required")
            }
            spec.tls.append(TLS(hosts: hosts, secretName: secret))
        }
        if spec.rules.isEmpty && spec.defaultBackend == nil { return fail("spec", "neither rules nor defaultBackend") }
        return .success(spec)
    }

    private struct FieldError: Error {
        var field: String
        var reason: String
    }

    private static func backend(_ value: JSONValue, field: String) -> Result<Backend, FieldError> {
        guard let service = value["service"] else {
            return .failure(FieldError(field: field + ".service", reason: "required (resource backends are not supported)"))
        }
        guard let name = service["name"]?.string, !name.isEmpty else {
            return .failure(FieldError(field: field + ".service.name", reason: "required"))
        }
        if let number = service[path: ["port", "number"]]?.int {
            guard (1...65535).contains(number) else {
                return .failure(FieldError(field: field + ".service.port.number", reason: "\(number) is not between 1 and 65535"))
            }
            return .success(Backend(service: name, port: .number(Int(number))))
        }
        if let portName = service[path: ["port", "name"]]?.string, !portName.isEmpty {
            return .success(Backend(service: name, port: .name(portName)))
        }
        return .failure(FieldError(field: field + ".service.port", reason: "needs number or name"))
    }
}
