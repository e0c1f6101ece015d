import Foundation

/// The kubelet's image pull back-off, per image: after a failed pull the image is not
/// pulled again for 10 s, doubling with each further failure up to 300 s (upstream's
/// `flowcontrol.Backoff` for images); a success, or a quiet spell of twice the cap, forgets
/// the failures. Pure: the caller passes the time.
public struct ImagePullBackOff: Sendable {
    public var initial: TimeInterval
    public var cap: TimeInterval

    struct Entry: Sendable {
        var delay: TimeInterval
        var lastFailure: Date
        var message: String
    }

    private var entries: [String: Entry] = [:]

    public init(initial: TimeInterval = 10, cap: TimeInterval = 300) {
        self.initial = initial
        self.cap = cap
    }

    /// Records a failed pull of `image` at `now`, with the error shown while backing off.
    public mutating func failed(_ image: String, at now: Date, message: String) {
        var delay = initial
        if let entry = entries[image], now.timeIntervalSince(entry.lastFailure) < 2 * cap {
            delay = min(entry.delay * 2, cap)
        }
        entries[image] = Entry(delay: delay, lastFailure: now, message: message)
    }

    /// Forgets the failures of `image`.
    public mutating func succeeded(_ image: String) {
        entries[image] = nil
    }

    /// While `image` must not be pulled: until when, and the last failure's message.
    public func blocked(_ image: String, at now: Date) -> (until: Date, message: String)? {
        guard let entry = entries[image] else { return nil }
        let until = entry.lastFailure.addingTimeInterval(entry.delay)
        return now < until ? (until, entry.message) : nil
    }
}
