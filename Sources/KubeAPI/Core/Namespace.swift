/// A scope for names (core/v1 `Namespace`).
public struct Namespace: Codable, Sendable, Hashable {
    public var apiVersion: String? = "v1"
    public var kind: String? = "Namespace"
    public var metadata: ObjectMeta
    public var spec: NamespaceSpec?
    public var status: NamespaceStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        spec: NamespaceSpec? = nil,
        status: NamespaceStatus? = nil
    ) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// The finalizers of a Namespace.
public struct NamespaceSpec: Codable, Sendable, Hashable {
    public var finalizers: [String]?

    public init(finalizers: [String]? = nil) {
        self.finalizers = finalizers
    }
}

/// `Active` or `Terminating`.
public struct NamespaceStatus: Codable, Sendable, Hashable {
    public var phase: String?

    public init(phase: String? = nil) {
        self.phase = phase
    }
}
