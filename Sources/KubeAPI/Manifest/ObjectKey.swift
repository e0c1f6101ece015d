/// The identity of an object: its kind, namespace (nil when cluster-scoped) and name.
/// Two manifests declaring the same key collide.
public struct ObjectKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var kind: String
    public var namespace: String?
    public var name: String

    public init(kind: String, namespace: String?, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// `Pod default/web`, or `Namespace shop` for cluster-scoped objects.
    public var description: String {
        namespace.map { "\(kind) \($0)/\(name)" } ?? "\(kind) \(name)"
    }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.kind, lhs.namespace ?? "", lhs.name) < (rhs.kind, rhs.namespace ?? "", rhs.name)
    }
}

extension KubeObject {
    /// This object's identity; the namespace is as decoded (defaulting sets `default`).
    public var key: ObjectKey {
        ObjectKey(kind: kind, namespace: isNamespaced ? metadata.namespaceOrDefault : nil, name: name)
    }
}

extension PodSpec {
    /// Init containers followed by regular containers.
    public var allContainers: [Container] { (initContainers ?? []) + containers }
}
