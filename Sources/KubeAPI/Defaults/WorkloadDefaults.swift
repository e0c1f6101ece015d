/// Upstream's defaults for the workload fields the controllers read, named once:
/// `applyDefaults` writes them into a manifest's object, and the controllers, printers and
/// validation read a field through these accessors, so an object that was never defaulted
/// (a state file an older agent wrote) means the same.
extension DeploymentSpec {
    public static let defaultReplicas = 1
    public static let defaultRevisionHistoryLimit = 10
    public static let defaultProgressDeadlineSeconds = 600

    /// `replicas`, or upstream's default 1.
    public var desiredReplicas: Int { replicas ?? Self.defaultReplicas }
    /// `revisionHistoryLimit`, or upstream's default 10.
    public var historyLimit: Int { revisionHistoryLimit ?? Self.defaultRevisionHistoryLimit }
}

extension ReplicaSetSpec {
    public static let defaultReplicas = 1

    /// `replicas`, or upstream's default 1.
    public var desiredReplicas: Int { replicas ?? Self.defaultReplicas }
}

extension JobSpec {
    public static let defaultParallelism = 1

    /// Upstream's default `backoffLimit`: 6, or unlimited with a per-index limit.
    public var defaultBackoffLimit: Int { backoffLimitPerIndex == nil ? 6 : Int(Int32.max) }
    /// `backoffLimit`, or its default.
    public var effectiveBackoffLimit: Int { backoffLimit ?? defaultBackoffLimit }
    /// `parallelism`, or upstream's default 1.
    public var effectiveParallelism: Int { parallelism ?? Self.defaultParallelism }
}

extension CronJobSpec {
    public static let defaultSuccessfulJobsHistoryLimit = 3
    public static let defaultFailedJobsHistoryLimit = 1

    /// `successfulJobsHistoryLimit`, or upstream's default 3.
    public var successfulHistoryLimit: Int { successfulJobsHistoryLimit ?? Self.defaultSuccessfulJobsHistoryLimit }
    /// `failedJobsHistoryLimit`, or upstream's default 1.
    public var failedHistoryLimit: Int { failedJobsHistoryLimit ?? Self.defaultFailedJobsHistoryLimit }
}
