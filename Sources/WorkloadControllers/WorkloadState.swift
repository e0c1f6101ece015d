import Foundation
import KubeAPI

/// Everything the workload controllers remember between passes; the agent persists it as JSON
/// and starts or terminates pods as `pods` gains or loses entries.
public struct WorkloadState: Codable, Sendable, Equatable {
    /// Deployments as last reconciled: uid, generation, revision annotation and status.
    public var deployments: [Deployment]
    /// ReplicaSets of Deployments and standalone ones, with status, revision annotations and owner refs.
    public var replicaSets: [ReplicaSet]
    /// DaemonSets as last reconciled, with status.
    public var daemonSets: [DaemonSet]
    /// Jobs from manifests and Jobs created by CronJobs, with status.
    public var jobs: [Job]
    /// CronJobs as last reconciled: uid, creation time and status (lastScheduleTime, active…).
    public var cronJobs: [CronJob]
    /// Every controller-owned pod that should exist (metadata and spec; finished Job pods stay
    /// until their Job goes).
    public var pods: [Pod]
    /// Terminal phases already counted, by pod uid, so a Job counts each pod once.
    public var countedPods: [String: PodPhase]
    /// Job failure back-off, by Job uid.
    public var jobBackoff: [String: JobBackoffRecord]
    /// Manifest Jobs removed by `ttlSecondsAfterFinished`, by `namespace/name`, with the spec
    /// they had: the same manifest does not run again until it changes.
    public var expiredJobs: [String: JobSpec]
    /// Per CronJob uid, the scheduled time a Forbid policy skipped (one event per time).
    public var cronJobSkips: [String: Date]

    public init(
        deployments: [Deployment] = [], replicaSets: [ReplicaSet] = [], daemonSets: [DaemonSet] = [],
        jobs: [Job] = [], cronJobs: [CronJob] = [], pods: [Pod] = [],
        countedPods: [String: PodPhase] = [:], jobBackoff: [String: JobBackoffRecord] = [:],
        expiredJobs: [String: JobSpec] = [:], cronJobSkips: [String: Date] = [:]
    ) {
        self.deployments = deployments
        self.replicaSets = replicaSets
        self.daemonSets = daemonSets
        self.jobs = jobs
        self.cronJobs = cronJobs
        self.pods = pods
        self.countedPods = countedPods
        self.jobBackoff = jobBackoff
        self.expiredJobs = expiredJobs
        self.cronJobSkips = cronJobSkips
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        deployments = try c.decodeIfPresent([Deployment].self, forKey: .deployments) ?? []
        replicaSets = try c.decodeIfPresent([ReplicaSet].self, forKey: .replicaSets) ?? []
        daemonSets = try c.decodeIfPresent([DaemonSet].self, forKey: .daemonSets) ?? []
        jobs = try c.decodeIfPresent([Job].self, forKey: .jobs) ?? []
        cronJobs = try c.decodeIfPresent([CronJob].self, forKey: .cronJobs) ?? []
        pods = try c.decodeIfPresent([Pod].self, forKey: .pods) ?? []
        countedPods = try c.decodeIfPresent([String: PodPhase].self, forKey: .countedPods) ?? [:]
        jobBackoff = try c.decodeIfPresent([String: JobBackoffRecord].self, forKey: .jobBackoff) ?? [:]
        expiredJobs = try c.decodeIfPresent([String: JobSpec].self, forKey: .expiredJobs) ?? [:]
        cronJobSkips = try c.decodeIfPresent([String: Date].self, forKey: .cronJobSkips) ?? [:]
    }

    /// The pods a controller (by uid) owns.
    public func pods(ownedBy uid: String) -> [Pod] {
        pods.filter { $0.controllerUID == uid }
    }
}

/// Consecutive pod failures of a Job since its last success, for the retry back-off.
public struct JobBackoffRecord: Codable, Sendable, Equatable {
    public var failuresAfterLastSuccess: Int
    public var lastFailureTime: Date?

    public init(failuresAfterLastSuccess: Int = 0, lastFailureTime: Date? = nil) {
        self.failuresAfterLastSuccess = failuresAfterLastSuccess
        self.lastFailureTime = lastFailureTime
    }
}

/// One event a controller recorded about an object, as `kubectl describe` lists them.
public struct WorkloadEvent: Codable, Sendable, Equatable {
    /// `Normal` or `Warning`.
    public var type: String
    public var kind: String
    public var namespace: String
    public var name: String
    public var reason: String
    public var message: String

    public init(type: String = "Normal", kind: String, namespace: String, name: String, reason: String, message: String) {
        self.type = type
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.reason = reason
        self.message = message
    }

    /// `Kind/namespace/name` of the object the event is about.
    public var object: String { "\(kind)/\(namespace)/\(name)" }
}

/// What one controller pass produced: the next state and the events it recorded.
public struct WorkloadResult: Sendable, Equatable {
    public var state: WorkloadState
    public var events: [WorkloadEvent]

    public init(state: WorkloadState, events: [WorkloadEvent]) {
        self.state = state
        self.events = events
    }
}

extension Pod {
    /// The uid of the pod's controlling owner, if any.
    var controllerUID: String? {
        metadata.ownerReferences?.first { $0.controller == true }?.uid
    }
}

extension ObjectMeta {
    /// `namespace/name`.
    var key: String { "\(namespaceOrDefault)/\(name ?? "")" }
    var controllerUID: String? { ownerReferences?.first { $0.controller == true }?.uid }
}
