import Foundation
import Logging

/// Puts a generated `Ruleset` into the kernel: the first sync (and any after a failure) is a
/// full sync; later ones rewrite only what changed. Also installs kube-proxy's jump rules from
/// the built-in chains and removes everything again with `cleanup()`.
public final class ProxyApplier: @unchecked Sendable {
    private let executor: IPTablesExecutor
    private let planner: SyncPlanner
    private let logger: Logger
    /// The ruleset the kernel holds, as far as this applier knows.
    private let state = AppliedRuleset<Ruleset>()

    /// - Parameter chainsPerCommit: slice size of a full sync (see `SyncPlanner`).
    public init(executor: IPTablesExecutor = SystemIPTables(), chainsPerCommit: Int = 400,
                logger: Logger = Logger(label: "swiftlet.kubeproxy")) {
        self.executor = executor
        self.planner = SyncPlanner(chainsPerCommit: chainsPerCommit)
        self.logger = logger
    }

    /// Applies `ruleset`: incrementally when the previous sync succeeded, else in full.
    @discardableResult
    public func sync(_ ruleset: Ruleset) throws -> ProxySyncResult {
        try state.withLock { applied in
            guard let previous = applied else { return try fullSyncLocked(ruleset, &applied) }
            let clock = ContinuousClock()
            let start = clock.now
            let plan = planner.incremental(from: previous, to: ruleset)
            let planned = clock.now
            if plan.input.isEmpty { return .unchanged }
            do {
                applied = nil
                try executor.restore(plan.input)
                applied = ruleset
            } catch {
                logger.error("incremental proxy sync failed; the next sync is a full one", metadata: ["error": "\(error)"])
                throw error
            }
            let s = plan.stats
            logger.debug("incremental proxy sync", metadata: [
                "chainsWritten": "\(s.chainsWritten)", "chainsDeleted": "\(s.chainsDeleted)",
                "plan": "\(start.duration(to: planned))", "restore": "\(planned.duration(to: clock.now))",
            ])
            return ProxySyncResult(kind: .incremental, chainsWritten: s.chainsWritten, chainsDeleted: s.chainsDeleted,
                                   rulesInserted: s.rulesInserted, rulesDeleted: s.rulesDeleted)
        }
    }

    /// Rewrites every chain of `ruleset`, deletes owned chains it no longer has, and makes sure
    /// the jump rules from the built-in chains are in place.
    @discardableResult
    public func fullSync(_ ruleset: Ruleset) throws -> ProxySyncResult {
        try state.withLock { try fullSyncLocked(ruleset, &$0) }
    }

    private func fullSyncLocked(_ ruleset: Ruleset, _ applied: inout Ruleset?) throws -> ProxySyncResult {
        // What the kernel has: our last ruleset, or (after a restart or failure) a listing.
        let existing: [String: Set<String>]
        if let applied {
            existing = Dictionary(uniqueKeysWithValues: applied.tables.map { ($0.name, Set($0.chains.map(\.name))) })
        } else {
            existing = try ownedChains()
        }
        applied = nil
        let clock = ContinuousClock()
        let start = clock.now
        // Jump rules first, while the table is small on a fresh node (every iptables call costs
        // time in proportion to the table): missing fixed chains are created empty for them.
        let missing = planner.missingFixedChains(ruleset, existing: existing, jumps: JumpRule.all)
        if !missing.isEmpty { try executor.restore(missing) }
        try ensureJumpRules(JumpRule.all.filter { existing[$0.table]?.contains($0.target) == true })
        let jumped = clock.now
        let plan = planner.full(ruleset, existing: existing)
        let planned = clock.now
        try executor.restore(plan.input)
        applied = ruleset
        let s = plan.stats
        logger.debug("full proxy sync", metadata: [
            "chainsWritten": "\(s.chainsWritten)", "chainsDeleted": "\(s.chainsDeleted)",
            "jumpRules": "\(start.duration(to: jumped))", "plan": "\(jumped.duration(to: planned))",
            "restore": "\(planned.duration(to: clock.now))",
        ])
        return ProxySyncResult(kind: .full, chainsWritten: s.chainsWritten, chainsDeleted: s.chainsDeleted)
    }

    /// Makes the next `sync` a full one (for a periodic resync that repairs outside edits).
    public func invalidate() {
        state.invalidate()
    }

    /// Removes every rule and chain the proxy made: the jump rules from the built-in chains,
    /// then all KUBE-* chains it owns in the filter and nat tables.
    public func cleanup() throws {
        try state.withLock { applied in
            applied = nil
            let chains = try ownedChains()
            for jump in JumpRule.all where chains[jump.table]?.contains(jump.target) == true {
                while try executor.iptables(table: jump.table, ["-C", jump.chain] + jump.args) {
                    _ = try executor.iptables(table: jump.table, ["-D", jump.chain] + jump.args)
                }
            }
            let input = planner.removal(chains)
            if !input.isEmpty { try executor.restore(input) }
            logger.info("removed proxy rules", metadata: ["chains": "\(chains.values.reduce(0) { $0 + $1.count })"])
        }
    }

    /// Checks each of `jumps` with `iptables -C` and inserts the missing ones.
    private func ensureJumpRules(_ jumps: [JumpRule]) throws {
        for jump in jumps where try !executor.iptables(table: jump.table, ["-C", jump.chain] + jump.args) {
            guard try executor.iptables(table: jump.table, ["-I", jump.chain] + jump.args) else {
                throw ProxyError("iptables -t \(jump.table) -I \(jump.chain) \(jump.args.joined(separator: " ")) failed")
            }
        }
    }

    /// The proxy's chains present in the kernel, per table, from `iptables-save`.
    private func ownedChains() throws -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for table in ["filter", "nat"] {
            result[table] = Set(Self.chainNames(inSave: try executor.save(table: table)).filter { KubeChains.isOwned($0, table: table) })
        }
        return result
    }

    /// Chain names declared in `iptables-save` output (`:NAME POLICY [p:b]`).
    static func chainNames(inSave text: String) -> [String] {
        text.utf8.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard line.first == UInt8(ascii: ":") else { return nil }
            let name = line.dropFirst().prefix { $0 != UInt8(ascii: " ") }
            return String(decoding: name, as: UTF8.self)
        }
    }
}
