import Foundation

/// The outcome of one probe run.
public enum ProbeOutcome: Sendable, Equatable {
    case success
    case failure(String)
}

/// Timing and thresholds of one probe, upstream's defaults applied by the caller.
public struct ProbeSchedule: Sendable, Equatable {
    public var initialDelay: TimeInterval
    public var period: TimeInterval
    public var timeout: TimeInterval
    public var successThreshold: Int
    public var failureThreshold: Int

    public init(
        initialDelay: TimeInterval = 0, period: TimeInterval = 10, timeout: TimeInterval = 1,
        successThreshold: Int = 1, failureThreshold: Int = 3
    ) {
        self.initialDelay = initialDelay
        self.period = period
        self.timeout = timeout
        self.successThreshold = successThreshold
        self.failureThreshold = failureThreshold
    }
}

/// The kubelet's per-container probe worker state, as a pure value: when the next run is
/// due, and the result after consecutive successes or failures cross their thresholds.
public struct ProbeTracker: Sendable, Equatable {
    public let schedule: ProbeSchedule
    /// The current result: readiness and startup start failing, liveness starts passing.
    public private(set) var passing: Bool
    public private(set) var lastMessage: String?
    private var successes = 0
    private var failures = 0
    /// Whether the failures in a row have reached the failure threshold.
    public var failedThreshold: Bool { failures >= schedule.failureThreshold }
    private var lastRun: Date?

    public init(schedule: ProbeSchedule, initiallyPassing: Bool) {
        self.schedule = schedule
        self.passing = initiallyPassing
    }

    /// Whether a run is due at `now` for a container started at `startedAt`.
    public func isDue(now: Date, startedAt: Date) -> Bool {
        guard now >= startedAt.addingTimeInterval(schedule.initialDelay) else { return false }
        guard let lastRun else { return true }
        return now >= lastRun.addingTimeInterval(schedule.period)
    }

    /// Records a run's outcome; returns true when `passing` changed.
    @discardableResult
    public mutating func record(_ outcome: ProbeOutcome, at now: Date) -> Bool {
        lastRun = now
        let before = passing
        switch outcome {
        case .success:
            successes += 1
            failures = 0
            lastMessage = nil
            if successes >= schedule.successThreshold { passing = true }
        case .failure(let message):
            failures += 1
            successes = 0
            lastMessage = message
            if failures >= schedule.failureThreshold { passing = false }
        }
        return passing != before
    }

    /// Starts counting afresh, as after a container restart.
    public mutating func reset(initiallyPassing: Bool) {
        self = ProbeTracker(schedule: schedule, initiallyPassing: initiallyPassing)
    }
}
