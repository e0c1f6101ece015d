/// One pod per node (apps/v1 `DaemonSet`); on Swiftlet, one pod.
public struct DaemonSet: Codable, Sendable, Hashable {
    public var apiVersion: String? = "apps/v1"
    public var kind: String? = "DaemonSet"
    public var metadata: ObjectMeta
    public var spec: DaemonSetSpec
    public var status: DaemonSetStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        spec: DaemonSetSpec,
        status: DaemonSetStatus? = nil
    ) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// The desired state of a DaemonSet.
public struct DaemonSetSpec: Codable, Sendable, Hashable {
    public var selector: LabelSelector?
    public var template: PodTemplateSpec
    public var updateStrategy: DaemonSetUpdateStrategy?
    public var minReadySeconds: Int?
    public var revisionHistoryLimit: Int?

    public init(
        selector: LabelSelector? = nil,
        template: PodTemplateSpec,
        updateStrategy: DaemonSetUpdateStrategy? = nil,
        minReadySeconds: Int? = nil,
        revisionHistoryLimit: Int? = nil
    ) {
        self.selector = selector
        self.template = template
        self.updateStrategy = updateStrategy
        self.minReadySeconds = minReadySeconds
        self.revisionHistoryLimit = revisionHistoryLimit
    }
}

/// How a DaemonSet replaces its pods: `RollingUpdate` or `OnDelete`.
public struct DaemonSetUpdateStrategy: Codable, Sendable, Hashable {
    public var type: String?
    public var rollingUpdate: RollingUpdateDaemonSet?

    public init(type: String? = nil, rollingUpdate: RollingUpdateDaemonSet? = nil) {
        self.type = type
        self.rollingUpdate = rollingUpdate
    }
}

/// The bounds of a DaemonSet rolling update.
public struct RollingUpdateDaemonSet: Codable, Sendable, Hashable {
    public var maxUnavailable: IntOrString?
    public var maxSurge: IntOrString?

    public init(maxUnavailable: IntOrString? = nil, maxSurge: IntOrString? = nil) {
        self.maxUnavailable = maxUnavailable
        self.maxSurge = maxSurge
    }
}

/// What was observed of a DaemonSet.
public struct DaemonSetStatus: Codable, Sendable, Hashable {
    public var currentNumberScheduled: Int
    public var numberMisscheduled: Int
    public var desiredNumberScheduled: Int
    public var numberReady: Int
    public var observedGeneration: Int?
    public var updatedNumberScheduled: Int?
    public var numberAvailable: Int?
    public var numberUnavailable: Int?
    public var collisionCount: Int?
    public var conditions: [WorkloadCondition]?

    public init(
        currentNumberScheduled: Int,
        numberMisscheduled: Int,
        desiredNumberScheduled: Int,
        numberReady: Int,
        observedGeneration: Int? = nil,
        updatedNumberScheduled: Int? = nil,
        numberAvailable: Int? = nil,
        numberUnavailable: Int? = nil,
        collisionCount: Int? = nil,
        conditions: [WorkloadCondition]? = nil
    ) {
        self.currentNumberScheduled = currentNumberScheduled
        self.numberMisscheduled = numberMisscheduled
        self.desiredNumberScheduled = desiredNumberScheduled
        self.numberReady = numberReady
        self.observedGeneration = observedGeneration
        self.updatedNumberScheduled = updatedNumberScheduled
        self.numberAvailable = numberAvailable
        self.numberUnavailable = numberUnavailable
        self.collisionCount = collisionCount
        self.conditions = conditions
    }
}
