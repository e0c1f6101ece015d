/// Where one object lives in the store: its resource (`pods`, `deployments.apps`), its
/// namespace ("" for cluster-scoped objects) and its name.
public struct StoreKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var resource: String
    public var namespace: String
    public var name: String

    public init(resource: String, namespace: String, name: String) {
        self.resource = resource
        self.namespace = namespace
        self.name = name
    }

    public init(_ type: ResourceType, namespace: String?, name: String) {
        self.init(resource: type.qualifiedName, namespace: type.namespaced ? (namespace ?? "default") : "", name: name)
    }

    public var description: String { namespace.isEmpty ? "\(resource) \(name)" : "\(resource) \(namespace)/\(name)" }

    public static func < (lhs: StoreKey, rhs: StoreKey) -> Bool {
        (lhs.resource, lhs.namespace, lhs.name) < (rhs.resource, rhs.namespace, rhs.name)
    }
}

/// A change to one object, as a watch delivers it (`watch.Event`).
public struct WatchEvent: Sendable {
    public enum Kind: String, Sendable { case added = "ADDED", modified = "MODIFIED", deleted = "DELETED" }
    public var kind: Kind
    public var key: StoreKey
    public var object: JSONValue
    public var resourceVersion: UInt64

    public init(kind: Kind, key: StoreKey, object: JSONValue, resourceVersion: UInt64) {
        self.kind = kind
        self.key = key
        self.object = object
        self.resourceVersion = resourceVersion
    }
}

/// Why a store operation was refused; the API server maps each to upstream's Status.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    case notFound(StoreKey)
    case alreadyExists(StoreKey)
    /// The caller's resourceVersion is not the stored one.
    case conflict(StoreKey, String)
    /// A watch asked to start before the history the store keeps.
    case gone(requested: UInt64, oldest: UInt64)
    /// The write could not be made durable.
    case io(String)

    public var description: String {
        switch self {
        case .notFound(let key): return "\(key) not found"
        case .alreadyExists(let key): return "\(key) already exists"
        case .conflict(let key, let message): return "\(key): \(message)"
        case .gone(let requested, let oldest): return "too old resource version: \(requested) (\(oldest))"
        case .io(let message): return message
        }
    }
}
