/// Creates Jobs on a cron schedule (batch/v1 `CronJob`).
public struct CronJob: Codable, Sendable, Hashable {
    public var apiVersion: String? = "batch/v1"
    public var kind: String? = "CronJob"
    public var metadata: ObjectMeta
    public var spec: CronJobSpec
    public var status: CronJobStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        spec: CronJobSpec,
        status: CronJobStatus? = nil
    ) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// Whether a CronJob's runs may overlap.
public struct ConcurrencyPolicy: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let allow: Self = "Allow"
    public static let forbid: Self = "Forbid"
    public static let replace: Self = "Replace"
    public static let supported: [Self] = [.allow, .forbid, .replace]
}

/// The schedule and Job template of a CronJob.
public struct CronJobSpec: Codable, Sendable, Hashable {
    public var schedule: String
    public var timeZone: String?
    public var startingDeadlineSeconds: Int?
    public var concurrencyPolicy: ConcurrencyPolicy?
    public var suspend: Bool?
    public var jobTemplate: JobTemplateSpec
    public var successfulJobsHistoryLimit: Int?
    public var failedJobsHistoryLimit: Int?

    public init(
        schedule: String,
        timeZone: String? = nil,
        startingDeadlineSeconds: Int? = nil,
        concurrencyPolicy: ConcurrencyPolicy? = nil,
        suspend: Bool? = nil,
        jobTemplate: JobTemplateSpec,
        successfulJobsHistoryLimit: Int? = nil,
        failedJobsHistoryLimit: Int? = nil
    ) {
        self.schedule = schedule
        self.timeZone = timeZone
        self.startingDeadlineSeconds = startingDeadlineSeconds
        self.concurrencyPolicy = concurrencyPolicy
        self.suspend = suspend
        self.jobTemplate = jobTemplate
        self.successfulJobsHistoryLimit = successfulJobsHistoryLimit
        self.failedJobsHistoryLimit = failedJobsHistoryLimit
    }
}

/// The Job a CronJob creates.
public struct JobTemplateSpec: Codable, Sendable, Hashable {
    public var metadata: ObjectMeta?
    public var spec: JobSpec

    public init(metadata: ObjectMeta? = nil, spec: JobSpec) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// What was observed of a CronJob.
public struct CronJobStatus: Codable, Sendable, Hashable {
    public var active: [ObjectReference]?
    public var lastScheduleTime: KubeTime?
    public var lastSuccessfulTime: KubeTime?

    public init(
        active: [ObjectReference]? = nil,
        lastScheduleTime: KubeTime? = nil,
        lastSuccessfulTime: KubeTime? = nil
    ) {
        self.active = active
        self.lastScheduleTime = lastScheduleTime
        self.lastSuccessfulTime = lastSuccessfulTime
    }
}
