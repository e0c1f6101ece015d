/// A group of containers sharing network, IPC and UTS namespaces (core/v1 `Pod`).
public struct Pod: Codable, Sendable, Hashable {
    public var apiVersion: String? = "v1"
    public var kind: String? = "Pod"
    public var metadata: ObjectMeta
    public var spec: PodSpec
    public var status: PodStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        spec: PodSpec,
        status: PodStatus? = nil
    ) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// The pod a workload controller stamps out (core/v1 `PodTemplateSpec`).
public struct PodTemplateSpec: Codable, Sendable, Hashable {
    public var metadata: ObjectMeta?
    public var spec: PodSpec

    public init(metadata: ObjectMeta? = nil, spec: PodSpec) {
        self.metadata = metadata
        self.spec = spec
    }
}
