/// Runs pods until a number of them succeed (batch/v1 `Job`).
public struct Job: Codable, Sendable, Hashable {
    public var apiVersion: String? = "batch/v1"
    public var kind: String? = "Job"
    public var metadata: ObjectMeta
    public var spec: JobSpec
    public var status: JobStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        spec: JobSpec,
        status: JobStatus? = nil
    ) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// The desired behaviour of a Job.
public struct JobSpec: Codable, Sendable, Hashable {
    public var parallelism: Int?
    public var completions: Int?
    public var activeDeadlineSeconds: Int?
    public var podFailurePolicy: PodFailurePolicy?
    public var backoffLimit: Int?
    public var backoffLimitPerIndex: Int?
    public var maxFailedIndexes: Int?
    public var selector: LabelSelector?
    public var manualSelector: Bool?
    public var template: PodTemplateSpec
    public var ttlSecondsAfterFinished: Int?
    /// `NonIndexed` or `Indexed`.
    public var completionMode: String?
    public var suspend: Bool?
    public var podReplacementPolicy: String?

    public init(
        parallelism: Int? = nil,
        completions: Int? = nil,
        activeDeadlineSeconds: Int? = nil,
        podFailurePolicy: PodFailurePolicy? = nil,
        backoffLimit: Int? = nil,
        backoffLimitPerIndex: Int? = nil,
        maxFailedIndexes: Int? = nil,
        selector: LabelSelector? = nil,
        manualSelector: Bool? = nil,
        template: PodTemplateSpec,
        ttlSecondsAfterFinished: Int? = nil,
        completionMode: String? = nil,
        suspend: Bool? = nil,
        podReplacementPolicy: String? = nil
    ) {
        self.parallelism = parallelism
        self.completions = completions
        self.activeDeadlineSeconds = activeDeadlineSeconds
        self.podFailurePolicy = podFailurePolicy
        self.backoffLimit = backoffLimit
        self.backoffLimitPerIndex = backoffLimitPerIndex
        self.maxFailedIndexes = maxFailedIndexes
        self.selector = selector
        self.manualSelector = manualSelector
        self.template = template
        self.ttlSecondsAfterFinished = ttlSecondsAfterFinished
        self.completionMode = completionMode
        self.suspend = suspend
        self.podReplacementPolicy = podReplacementPolicy
    }
}

/// Rules deciding what a failed pod means for its Job.
public struct PodFailurePolicy: Codable, Sendable, Hashable {
    public var rules: [PodFailurePolicyRule]

    public init(rules: [PodFailurePolicyRule]) {
        self.rules = rules
    }
}

/// One rule: an action when a pod's exit codes or conditions match.
public struct PodFailurePolicyRule: Codable, Sendable, Hashable {
    /// `FailJob`, `FailIndex`, `Ignore` or `Count`.
    public var action: String
    public var onExitCodes: PodFailurePolicyOnExitCodesRequirement?
    public var onPodConditions: [PodFailurePolicyOnPodConditionsPattern]?

    public init(
        action: String,
        onExitCodes: PodFailurePolicyOnExitCodesRequirement? = nil,
        onPodConditions: [PodFailurePolicyOnPodConditionsPattern]? = nil
    ) {
        self.action = action
        self.onExitCodes = onExitCodes
        self.onPodConditions = onPodConditions
    }
}

/// Matches a container's exit code `In` or `NotIn` a set.
public struct PodFailurePolicyOnExitCodesRequirement: Codable, Sendable, Hashable {
    public var containerName: String?
    /// `In` or `NotIn`.
    public var `operator`: String
    public var values: [Int]

    public init(
        containerName: String? = nil,
        `operator`: String,
        values: [Int]
    ) {
        self.containerName = containerName
        self.`operator` = `operator`
        self.values = values
    }
}

/// Matches a pod condition (e.g. `DisruptionTarget`).
public struct PodFailurePolicyOnPodConditionsPattern: Codable, Sendable, Hashable {
    public var type: String
    public var status: ConditionStatus?

    public init(type: String, status: ConditionStatus? = nil) {
        self.type = type
        self.status = status
    }
}

/// What was observed of a Job.
public struct JobStatus: Codable, Sendable, Hashable {
    public var conditions: [WorkloadCondition]?
    public var startTime: KubeTime?
    public var completionTime: KubeTime?
    public var active: Int?
    public var succeeded: Int?
    public var failed: Int?
    public var terminating: Int?
    public var ready: Int?
    public var completedIndexes: String?

    public init(
        conditions: [WorkloadCondition]? = nil,
        startTime: KubeTime? = nil,
        completionTime: KubeTime? = nil,
        active: Int? = nil,
        succeeded: Int? = nil,
        failed: Int? = nil,
        terminating: Int? = nil,
        ready: Int? = nil,
        completedIndexes: String? = nil
    ) {
        self.conditions = conditions
        self.startTime = startTime
        self.completionTime = completionTime
        self.active = active
        self.succeeded = succeeded
        self.failed = failed
        self.terminating = terminating
        self.ready = ready
        self.completedIndexes = completedIndexes
    }
}
