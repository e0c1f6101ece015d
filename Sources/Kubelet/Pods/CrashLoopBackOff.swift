import Foundation

/// The kubelet's restart back-off for one container: 10 s doubling to a 300 s cap, reset
/// after 10 minutes without a crash. As upstream, the first crash restarts at once and
/// arms the back-off; later crashes wait the current delay, which then doubles.
/// Pure: the caller hands in the clock's readings.
public struct CrashLoopBackOff: Sendable, Equatable {
    public static let initial: TimeInterval = 10
    public static let cap: TimeInterval = 300
    public static let resetAfter: TimeInterval = 600

    /// The delay that applies after the last crash, nil before the first.
    public private(set) var delay: TimeInterval?
    /// The delay the next crash will be given.
    private var armed: TimeInterval?
    /// When the container last exited.
    public private(set) var lastCrash: Date?

    public init() {}

    /// Records a crash at `time` and returns how long to wait before the next start.
    public mutating func recordCrash(at time: Date) -> TimeInterval {
        let next: TimeInterval
        if let armed, let lastCrash, time.timeIntervalSince(lastCrash) < Self.resetAfter {
            next = armed
            self.armed = min(armed * 2, Self.cap)
        } else {
            next = 0
            armed = Self.initial
        }
        delay = next
        lastCrash = time
        return next
    }

    /// Whether the container may start again at `time`.
    public func restartAllowed(at time: Date) -> Bool {
        guard let delay, let lastCrash else { return true }
        return time >= lastCrash.addingTimeInterval(delay)
    }
}
