import NetAddress

/// The host-local allocation rule for one range set, free of I/O: walk the set's
/// addresses round-robin starting after the last one reserved, skipping gateways and
/// taken addresses, as the reference host-local does.
public struct IPAllocator: Sendable {
    public let ranges: [HostLocalConfig.Range]

    public init(ranges: [HostLocalConfig.Range]) { self.ranges = ranges }

    /// The next free address and its range, or nil when the set is full.
    /// `lastReserved` continues the round-robin; `isTaken` says whether an address is in use.
    public func next(lastReserved: IPv4Address?, isTaken: (IPv4Address) -> Bool) -> (
        IPv4Address, HostLocalConfig.Range
    )? {
        guard !ranges.isEmpty else { return nil }
        // Start just after the last reservation when it is still in this set, else at the
        // first address of the first range.
        var rangeIndex = 0
        var candidate = ranges[0].rangeStart
        if let last = lastReserved, let i = ranges.firstIndex(where: { $0.contains(last) }) {
            (rangeIndex, candidate) = step(rangeIndex: i, from: last)
        }
        let total = ranges.reduce(UInt64(0)) { $0 + UInt64($1.rangeEnd.value - $1.rangeStart.value) + 1 }
        var visited: UInt64 = 0
        while visited < total {
            let range = ranges[rangeIndex]
            if range.gateway != candidate && !isTaken(candidate) { return (candidate, range) }
            (rangeIndex, candidate) = step(rangeIndex: rangeIndex, from: candidate)
            visited += 1
        }
        return nil
    }

    /// Checks a specifically requested address: its range, or nil when outside the set.
    public func range(for ip: IPv4Address) -> HostLocalConfig.Range? {
        ranges.first { $0.contains(ip) }
    }

    private func step(rangeIndex: Int, from ip: IPv4Address) -> (Int, IPv4Address) {
        if ip < ranges[rangeIndex].rangeEnd { return (rangeIndex, IPv4Address(ip.value + 1)) }
        let nextIndex = (rangeIndex + 1) % ranges.count
        return (nextIndex, ranges[nextIndex].rangeStart)
    }
}
