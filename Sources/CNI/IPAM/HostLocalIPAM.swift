import NetAddress

/// host-local IPAM served in-process: allocates one address per range set for an
/// attachment, releases them on DEL, and checks them on CHECK.
public struct HostLocalIPAM {
    public let config: HostLocalConfig
    public let store: IPAMStore

    public init(config: HostLocalConfig, store: IPAMStore) {
        self.config = config
        self.store = store
    }

    /// The disk store the reference would use for `network`.
    public init(config: HostLocalConfig, network: String) {
        self.init(config: config, store: FileIPAMStore(dataDir: config.dataDir, network: network))
    }

    /// Reserves an address from every range set (`requested`: that address for the set
    /// holding it) and returns them with their gateways and the configured routes.
    public func allocate(
        containerID: String, ifName: String, requested: [IPv4Address] = [],
        cniVersion: String
    ) throws -> CNIResult {
        try store.withLock {
            var taken = try store.reservedAddresses()
            let owned = try store.addresses(ownedBy: containerID, ifName: ifName)
            var reserved: [(IPv4Address, HostLocalConfig.Range)] = []
            do {
                for (index, set) in config.rangeSets.enumerated() {
                    let allocator = IPAllocator(ranges: set)
                    if let mine = owned.first(where: { allocator.range(for: $0) != nil }) {
                        throw CNIError(
                            .addressInUse,
                            "\(mine) has been allocated to \(containerID) (\(ifName)), duplicate allocation is not allowed"
                        )
                    }
                    if let want = requested.first(where: { allocator.range(for: $0) != nil }) {
                        let range = allocator.range(for: want)!
                        guard range.gateway != want, !taken.contains(want),
                            try store.reserve(want, id: containerID, ifName: ifName, rangeSetIndex: index)
                        else {
                            throw CNIError(.addressInUse, "requested address \(want) is not available")
                        }
                        reserved.append((want, range))
                        continue
                    }
                    var last = try store.lastReserved(rangeSetIndex: index)
                    while true {
                        guard let (ip, range) = allocator.next(lastReserved: last, isTaken: { taken.contains($0) })
                        else {
                            let ranges = set.map { "\($0.rangeStart)-\($0.rangeEnd)" }.joined(separator: ", ")
                            throw CNIError(.addressPoolExhausted, "no IP addresses available in range set \(ranges)")
                        }
                        if try store.reserve(ip, id: containerID, ifName: ifName, rangeSetIndex: index) {
                            reserved.append((ip, range))
                            break
                        }
                        taken.insert(ip)
                        last = ip
                    }
                }
            } catch {
                for (ip, _) in reserved { try? store.release(ip) }
                throw error
            }
            for want in requested where !reserved.contains(where: { $0.0 == want }) {
                for (ip, _) in reserved { try? store.release(ip) }
                throw CNIError(.invalidNetworkConfig, "requested address \(want) is in none of the ranges")
            }
            var dns: JSONValue = .object([])
            if let path = config.resolvConf {
                guard let bytes = try? Posix.readFile(path) else {
                    throw CNIError(.ioFailure, "ipam.resolvConf: cannot read \(path)")
                }
                dns = HostLocalConfig.dns(fromResolvConf: String(decoding: bytes, as: UTF8.self))
            }
            return CNIResult(
                cniVersion: cniVersion,
                ips: reserved.map { ip, range in
                    CNIResult.IPConfig(address: "\(ip)/\(range.subnet.length)", gateway: range.gateway?.description)
                },
                routes: config.routes,
                dns: dns)
        }
    }

    /// Frees every address of the attachment; freeing nothing is fine (DEL is idempotent).
    /// `thenWhileLocked` runs before the lock is dropped with the freed addresses and whether
    /// the network has no reservation left (so "last pod gone" cleanup cannot race an ADD).
    @discardableResult
    public func release(
        containerID: String, ifName: String,
        thenWhileLocked: (_ released: [IPv4Address], _ networkEmpty: Bool) throws -> Void = { _, _ in }
    ) throws -> [IPv4Address] {
        try store.withLock {
            let owned = try store.addresses(ownedBy: containerID, ifName: ifName)
            for ip in owned { try store.release(ip) }
            try thenWhileLocked(owned, try store.reservedAddresses().isEmpty)
            return owned
        }
    }

    /// Frees the reservations of every attachment not in `valid` (CNI GC). As with
    /// `release`, `thenWhileLocked` gets the freed ones and whether the network is empty.
    @discardableResult
    public func collectGarbage(
        valid: Set<Attachment>,
        thenWhileLocked: (_ released: [(ip: IPv4Address, id: String, ifName: String)], _ networkEmpty: Bool) throws ->
            Void = { _, _ in }
    )
        throws -> [(ip: IPv4Address, id: String, ifName: String)]
    {
        try store.withLock {
            let stale = try store.reservations().filter {
                !valid.contains(Attachment(containerID: $0.id, ifName: $0.ifName))
            }
            for r in stale { try store.release(r.ip) }
            try thenWhileLocked(stale, try store.reservedAddresses().isEmpty)
            return stale
        }
    }

    /// One attachment: a container's interface.
    public struct Attachment: Hashable, Sendable {
        public var containerID: String
        public var ifName: String
        public init(containerID: String, ifName: String) {
            self.containerID = containerID
            self.ifName = ifName
        }
    }

    /// The attachment's reserved addresses (CHECK compares them with prevResult).
    public func addresses(containerID: String, ifName: String) throws -> [IPv4Address] {
        try store.withLock { try store.addresses(ownedBy: containerID, ifName: ifName) }
    }
}
