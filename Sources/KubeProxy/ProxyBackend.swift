/// One way of programming Services into the kernel: generate a ruleset from Services and
/// endpoints, apply it (incrementally once a sync succeeded), and take it out again.
/// `IPTablesBackend` (kube-proxy's iptables layout through iptables-restore) and
/// `NFTablesBackend` (its nftables layout over netlink) implement it; `ServiceProxy` and
/// the benchmark drive either the same way.
public protocol ProxyBackend: AnyObject, Sendable {
    /// What the generator makes and the applier installs.
    associatedtype Ruleset: Sendable

    /// The `--proxy-mode` this backend serves.
    var mode: ProxyMode { get }
    /// The ruleset for `services` and their `endpoints`, and one line per Service left out.
    func generate(services: [ServiceInfo], endpoints: [ServiceName: [EndpointInfo]]) -> (ruleset: Ruleset, problems: [String])
    /// Applies `ruleset`: only what changed when the previous sync succeeded, else in full.
    func sync(_ ruleset: Ruleset) throws -> ProxySyncResult
    /// Applies `ruleset` in full, whatever was applied before.
    func fullSync(_ ruleset: Ruleset) throws -> ProxySyncResult
    /// Makes the next `sync` a full one (a periodic resync repairs edits made from outside).
    func invalidate()
    /// Removes everything this backend made in the kernel.
    func cleanup() throws
}

extension ProxyBackend {
    /// Generates and syncs: what the proxy does on each change of Services or endpoints.
    func sync(services: [ServiceInfo], endpoints: [ServiceName: [EndpointInfo]]) throws
        -> (result: ProxySyncResult, problems: [String])
    {
        let generated = generate(services: services, endpoints: endpoints)
        return (try sync(generated.ruleset), generated.problems)
    }
}

/// What one proxy sync did. Each backend counts what it changes: iptables rewrites chains
/// and inserts or deletes single rules; nftables fills chains and adds or deletes elements
/// of its verdict maps.
public struct ProxySyncResult: Sendable, Equatable {
    /// Full: every chain rewritten; incremental: only changes; unchanged: nothing to do.
    public enum Kind: String, Sendable { case full, incremental, unchanged }

    public var kind: Kind
    /// Chains (re)written with all their rules.
    public var chainsWritten: Int
    /// Chains deleted.
    public var chainsDeleted: Int
    /// iptables: rules inserted into a chain that was not rewritten.
    public var rulesInserted: Int
    /// iptables: rules deleted from a chain that was not rewritten.
    public var rulesDeleted: Int
    /// nftables: elements added to the verdict maps (`service-ips`, `service-nodeports`).
    public var mapElementsAdded: Int
    /// nftables: elements deleted from the verdict maps.
    public var mapElementsDeleted: Int

    public init(kind: Kind, chainsWritten: Int = 0, chainsDeleted: Int = 0, rulesInserted: Int = 0, rulesDeleted: Int = 0,
                mapElementsAdded: Int = 0, mapElementsDeleted: Int = 0) {
        self.kind = kind
        self.chainsWritten = chainsWritten
        self.chainsDeleted = chainsDeleted
        self.rulesInserted = rulesInserted
        self.rulesDeleted = rulesDeleted
        self.mapElementsAdded = mapElementsAdded
        self.mapElementsDeleted = mapElementsDeleted
    }

    /// A sync that found nothing to change.
    public static let unchanged = ProxySyncResult(kind: .unchanged)
}
