/// Identifies one watch, to end it.
public struct WatchToken: Sendable, Hashable {
    let id: Int
}

/// The watches of a store and its recent history (a ring of the last `capacity` changes),
/// as the API server's watch cache: a watch from a resourceVersion inside the ring replays
/// what followed; one older than the ring gets 410 Gone. Not locked: `ResourceStore` calls
/// it under its own lock.
final class WatchHub: @unchecked Sendable {
    private let capacity: Int
    private var history: [WatchEvent] = []
    private var start = 0
    /// The revision the history starts after: events after it are all kept.
    private var floor: UInt64 = 0
    private var watchers: [Int: @Sendable (WatchEvent) -> Void] = [:]
    private var nextID = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    func reset(at revision: UInt64) {
        history = []
        start = 0
        floor = revision
    }

    func publish(_ event: WatchEvent) {
        if history.count < capacity {
            history.append(event)
        } else {
            floor = history[start].resourceVersion
            history[start] = event
            start = (start + 1) % capacity
        }
        for deliver in watchers.values { deliver(event) }
    }

    /// The events after `revision`, oldest first; `gone` if some of them are no longer kept.
    func events(after revision: UInt64, current: UInt64) throws -> [WatchEvent] {
        if revision >= current { return [] }
        guard revision >= floor else { throw StoreError.gone(requested: revision, oldest: floor) }
        let ordered = Array(history[start...] + history[..<start])
        return ordered.filter { $0.resourceVersion > revision }
    }

    func add(_ deliver: @escaping @Sendable (WatchEvent) -> Void) -> WatchToken {
        nextID += 1
        watchers[nextID] = deliver
        return WatchToken(id: nextID)
    }

    func remove(_ token: WatchToken) {
        watchers[token.id] = nil
    }
}
