/// Keeps a number of identical pods running (apps/v1 `ReplicaSet`).
public struct ReplicaSet: Codable, Sendable, Hashable {
    public var apiVersion: String? = "apps/v1"
    public var kind: String? = "ReplicaSet"
    public var metadata: ObjectMeta
    public var spec: ReplicaSetSpec
    public var status: ReplicaSetStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        spec: ReplicaSetSpec = ReplicaSetSpec(),
        status: ReplicaSetStatus? = nil
    ) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// The desired state of a ReplicaSet.
public struct ReplicaSetSpec: Codable, Sendable, Hashable {
    public var replicas: Int?
    public var minReadySeconds: Int?
    public var selector: LabelSelector?
    public var template: PodTemplateSpec?

    public init(
        replicas: Int? = nil,
        minReadySeconds: Int? = nil,
        selector: LabelSelector? = nil,
        template: PodTemplateSpec? = nil
    ) {
        self.replicas = replicas
        self.minReadySeconds = minReadySeconds
        self.selector = selector
        self.template = template
    }
}

/// What was observed of a ReplicaSet.
public struct ReplicaSetStatus: Codable, Sendable, Hashable {
    public var replicas: Int
    public var fullyLabeledReplicas: Int?
    public var readyReplicas: Int?
    public var availableReplicas: Int?
    public var terminatingReplicas: Int?
    public var observedGeneration: Int?
    public var conditions: [WorkloadCondition]?

    public init(
        replicas: Int,
        fullyLabeledReplicas: Int? = nil,
        readyReplicas: Int? = nil,
        availableReplicas: Int? = nil,
        terminatingReplicas: Int? = nil,
        observedGeneration: Int? = nil,
        conditions: [WorkloadCondition]? = nil
    ) {
        self.replicas = replicas
        self.fullyLabeledReplicas = fullyLabeledReplicas
        self.readyReplicas = readyReplicas
        self.availableReplicas = availableReplicas
        self.terminatingReplicas = terminatingReplicas
        self.observedGeneration = observedGeneration
        self.conditions = conditions
    }
}
