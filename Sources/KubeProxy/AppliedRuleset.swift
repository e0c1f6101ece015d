import Foundation

/// What a proxy applier (`ProxyApplier`, `NFTablesApplier`) last put into the kernel, behind
/// the lock that serializes its syncs: nil before the first sync, after a failed one and after
/// `invalidate()`, and nil makes the next sync a full one.
final class AppliedRuleset<Applied>: @unchecked Sendable {
    private let lock = NSLock()
    private var applied: Applied?

    /// Runs `body` under the lock with the applied ruleset, which `body` sets to nil before it
    /// writes to the kernel and to the new ruleset once the kernel took it.
    func withLock<T>(_ body: (inout Applied?) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&applied)
    }

    /// Forgets the applied ruleset, so the next sync is a full one.
    func invalidate() {
        withLock { $0 = nil }
    }
}
