import Foundation
import Logging

/// Where an `NFTablesApplier` sends its transactions: the kernel over netlink, or a
/// recording fake in unit tests.
public protocol NFTablesTransport: Sendable {
    /// Applies `plan` as one transaction.
    func apply(_ plan: NFTablesPlan) throws
    /// Deletes the tables `ip <name>` and everything in them, each only if present.
    func deleteTables(_ names: [String]) throws
}

/// The kernel's nf_tables over netlink.
public struct NetlinkNFTables: NFTablesTransport {
    /// A named namespace (`ip netns`, under /run/netns) to work in; nil: the caller's.
    public var networkNamespace: String?

    public init(networkNamespace: String? = nil) {
        self.networkNamespace = networkNamespace
    }

    public func apply(_ plan: NFTablesPlan) throws {
        let start = ContinuousClock.now
        let batch = try NFTablesBatch()
        try batch.add(plan)
        let built = ContinuousClock.now
        try commit(batch)
        Logger(label: "swiftlet.kubeproxy").trace("nftables transaction", metadata: [
            "messages": "\(batch.messages)", "build": "\(start.duration(to: built))", "commit": "\(built.duration(to: .now))",
        ])
    }

    public func deleteTables(_ names: [String]) throws {
        let batch = try NFTablesBatch()
        try batch.deleteTables(names)
        try commit(batch)
    }

    private func commit(_ batch: NFTablesBatch) throws {
        guard let networkNamespace else { return try batch.commit(networkNamespaceFD: -1) }
        let path = "/run/netns/\(networkNamespace)"
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw ProxyError("nftables: open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try batch.commit(networkNamespaceFD: fd)
    }
}

/// Puts a generated `NFTablesRuleset` into the kernel. A full sync replaces the proxy's tables
/// in one transaction; later syncs send only the difference from what the last sync installed,
/// so no sync reads the kernel's ruleset back.
public final class NFTablesApplier: @unchecked Sendable {
    private let transport: NFTablesTransport
    private let logger: Logger
    /// The ruleset the kernel holds, as far as this applier knows.
    private let state = AppliedRuleset<NFTablesRuleset>()

    public init(transport: NFTablesTransport = NetlinkNFTables(), logger: Logger = Logger(label: "swiftlet.kubeproxy")) {
        self.transport = transport
        self.logger = logger
    }

    /// Applies `ruleset`: incrementally when the previous sync succeeded, else in full. The
    /// result counts chains (re)filled and deleted, and verdict-map elements added and deleted.
    @discardableResult
    public func sync(_ ruleset: NFTablesRuleset) throws -> ProxySyncResult {
        try state.withLock { applied in
            guard let previous = applied else { return try applyLocked(.full(ruleset), ruleset, kind: .full, &applied) }
            let start = ContinuousClock.now
            let plan = NFTablesPlan.incremental(from: previous, to: ruleset)
            logger.debug("nftables plan", metadata: ["elapsed": "\(start.duration(to: .now))"])
            if plan.isEmpty { return .unchanged }
            return try applyLocked(plan, ruleset, kind: plan.isFull ? .full : .incremental, &applied)
        }
    }

    /// Replaces the proxy's tables with `ruleset`.
    @discardableResult
    public func fullSync(_ ruleset: NFTablesRuleset) throws -> ProxySyncResult {
        try state.withLock { try applyLocked(.full(ruleset), ruleset, kind: .full, &$0) }
    }

    private func applyLocked(_ plan: NFTablesPlan, _ ruleset: NFTablesRuleset, kind: ProxySyncResult.Kind,
                             _ applied: inout NFTablesRuleset?) throws -> ProxySyncResult {
        applied = nil
        let start = ContinuousClock.now
        do {
            try transport.apply(plan)
        } catch {
            logger.error("nftables proxy sync failed; the next sync is a full one", metadata: ["error": "\(error)"])
            throw error
        }
        applied = ruleset
        func total(_ count: (NFTTablePlan) -> Int) -> Int { plan.tables.reduce(0) { $0 + count($1) } }
        let result = ProxySyncResult(kind: kind, chainsWritten: total(\.fillChains.count), chainsDeleted: total(\.deleteChains.count),
                                     mapElementsAdded: total(\.addElements.count), mapElementsDeleted: total(\.deleteElements.count))
        logger.debug("nftables proxy sync", metadata: [
            "kind": "\(kind.rawValue)", "tables": "\(plan.tables.map(\.table).joined(separator: ","))",
            "chainsWritten": "\(result.chainsWritten)", "chainsDeleted": "\(result.chainsDeleted)",
            "elementsAdded": "\(result.mapElementsAdded)", "elementsDeleted": "\(result.mapElementsDeleted)",
            "apply": "\(start.duration(to: .now))",
        ])
        return result
    }

    /// Makes the next `sync` a full one (for a periodic resync that repairs outside edits).
    public func invalidate() {
        state.invalidate()
    }

    /// Removes the proxy's tables, and with them every rule, chain and map it made.
    public func cleanup() throws {
        try state.withLock { applied in
            applied = nil
            try transport.deleteTables(NFTablesRuleset.allTableNames)
            logger.debug("nftables proxy tables removed where present", metadata: ["tables": "ip \(NFTablesRuleset.tableName)*"])
        }
    }
}
