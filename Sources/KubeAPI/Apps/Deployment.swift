/// Declarative updates for pods through ReplicaSets (apps/v1 `Deployment`).
public struct Deployment: Codable, Sendable, Hashable {
    public var apiVersion: String? = "apps/v1"
    public var kind: String? = "Deployment"
    public var metadata: ObjectMeta
    public var spec: DeploymentSpec
    public var status: DeploymentStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        spec: DeploymentSpec,
        status: DeploymentStatus? = nil
    ) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// The desired state of a Deployment.
public struct DeploymentSpec: Codable, Sendable, Hashable {
    public var replicas: Int?
    public var selector: LabelSelector?
    public var template: PodTemplateSpec
    public var strategy: DeploymentStrategy?
    public var minReadySeconds: Int?
    public var revisionHistoryLimit: Int?
    public var paused: Bool?
    public var progressDeadlineSeconds: Int?

    public init(
        replicas: Int? = nil,
        selector: LabelSelector? = nil,
        template: PodTemplateSpec,
        strategy: DeploymentStrategy? = nil,
        minReadySeconds: Int? = nil,
        revisionHistoryLimit: Int? = nil,
        paused: Bool? = nil,
        progressDeadlineSeconds: Int? = nil
    ) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
        self.strategy = strategy
        self.minReadySeconds = minReadySeconds
        self.revisionHistoryLimit = revisionHistoryLimit
        self.paused = paused
        self.progressDeadlineSeconds = progressDeadlineSeconds
    }
}

/// How a Deployment replaces old pods with new ones.
public struct DeploymentStrategy: Codable, Sendable, Hashable {
    public var type: DeploymentStrategyType?
    public var rollingUpdate: RollingUpdateDeployment?

    public init(type: DeploymentStrategyType? = nil, rollingUpdate: RollingUpdateDeployment? = nil) {
        self.type = type
        self.rollingUpdate = rollingUpdate
    }
}

/// `RollingUpdate` or `Recreate`.
public struct DeploymentStrategyType: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let recreate: Self = "Recreate"
    public static let rollingUpdate: Self = "RollingUpdate"
    public static let supported: [Self] = [.recreate, .rollingUpdate]
}

/// The bounds of a rolling update: pods above and below `replicas` (numbers or percentages).
public struct RollingUpdateDeployment: Codable, Sendable, Hashable {
    public var maxUnavailable: IntOrString?
    public var maxSurge: IntOrString?

    public init(maxUnavailable: IntOrString? = nil, maxSurge: IntOrString? = nil) {
        self.maxUnavailable = maxUnavailable
        self.maxSurge = maxSurge
    }
}

/// What was observed of a Deployment.
public struct DeploymentStatus: Codable, Sendable, Hashable {
    public var observedGeneration: Int?
    public var replicas: Int?
    public var updatedReplicas: Int?
    public var readyReplicas: Int?
    public var availableReplicas: Int?
    public var unavailableReplicas: Int?
    public var terminatingReplicas: Int?
    public var conditions: [WorkloadCondition]?
    public var collisionCount: Int?

    public init(
        observedGeneration: Int? = nil,
        replicas: Int? = nil,
        updatedReplicas: Int? = nil,
        readyReplicas: Int? = nil,
        availableReplicas: Int? = nil,
        unavailableReplicas: Int? = nil,
        terminatingReplicas: Int? = nil,
        conditions: [WorkloadCondition]? = nil,
        collisionCount: Int? = nil
    ) {
        self.observedGeneration = observedGeneration
        self.replicas = replicas
        self.updatedReplicas = updatedReplicas
        self.readyReplicas = readyReplicas
        self.availableReplicas = availableReplicas
        self.unavailableReplicas = unavailableReplicas
        self.terminatingReplicas = terminatingReplicas
        self.conditions = conditions
        self.collisionCount = collisionCount
    }
}

/// A condition of a workload (`Available`, `Progressing`, `Complete`, `Failed`…), the shape
/// shared by Deployment, ReplicaSet, DaemonSet and Job conditions.
public struct WorkloadCondition: Codable, Sendable, Hashable {
    public var type: String
    public var status: ConditionStatus
    public var lastUpdateTime: KubeTime?
    public var lastProbeTime: KubeTime?
    public var lastTransitionTime: KubeTime?
    public var reason: String?
    public var message: String?

    public init(
        type: String,
        status: ConditionStatus,
        lastUpdateTime: KubeTime? = nil,
        lastProbeTime: KubeTime? = nil,
        lastTransitionTime: KubeTime? = nil,
        reason: String? = nil,
        message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.lastUpdateTime = lastUpdateTime
        self.lastProbeTime = lastProbeTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}
