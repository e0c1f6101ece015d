import Foundation
import Logging

/// Which kernel interface the proxy programs (`--proxy-mode`, as kube-proxy's flag).
public enum ProxyMode: String, Sendable, CaseIterable, Codable {
    /// kube-proxy's iptables layout, applied with iptables-restore.
    case iptables
    /// kube-proxy's nftables layout (table `ip kube-proxy`), applied over netlink.
    case nftables
}

/// The proxy as the kubelet drives it: on every change of Services or endpoints, regenerate
/// the rules and apply what changed. Services with invalid fields are left out, and their
/// problems returned for the caller to report (once, not on every sync).
public final class ServiceProxy: @unchecked Sendable {
    public let mode: ProxyMode
    private let iptablesGenerator: CachingRuleGenerator
    private let nftablesGenerator: CachingNFTablesGenerator
    public let applier: ProxyApplier
    public let nftablesApplier: NFTablesApplier
    private let logger: Logger
    /// The other mode's rules are removed once, before the first sync (a node switching
    /// modes must not keep answering with stale rules).
    private var clearedOtherMode = false
    /// Every this often a sync is a full one even when nothing changed, so rules edited or
    /// flushed from outside are put back (kube-proxy resyncs fully every hour).
    public let fullSyncPeriod: TimeInterval
    private let clock: @Sendable () -> Date
    private var lastFullSync: Date?

    public init(options: ProxyOptions, mode: ProxyMode = .iptables, applier: ProxyApplier = ProxyApplier(),
                nftablesApplier: NFTablesApplier = NFTablesApplier(), fullSyncPeriod: TimeInterval = 3600,
                clock: @escaping @Sendable () -> Date = { Date() },
                logger: Logger = Logger(label: "swiftlet.kubeproxy")) {
        self.fullSyncPeriod = fullSyncPeriod
        self.clock = clock
        self.mode = mode
        self.iptablesGenerator = CachingRuleGenerator(options: options)
        self.nftablesGenerator = CachingNFTablesGenerator(options: options)
        self.applier = applier
        self.nftablesApplier = nftablesApplier
        self.logger = logger
    }

    /// Brings the kernel's rules in line with `services` and their `endpoints`; returns the
    /// generation problems (one line per skipped Service) with what the sync did.
    @discardableResult
    public func sync(services: [ServiceInfo], endpoints: [ServiceName: [EndpointInfo]]) throws
        -> (result: ProxyApplier.SyncResult, problems: [String])
    {
        if !clearedOtherMode {
            do {
                switch mode {
                case .iptables: try nftablesApplier.cleanup()
                case .nftables: try applier.cleanup()
                }
            } catch {
                logger.warning("removing the \(mode == .iptables ? "nftables" : "iptables") proxy rules: \(error)")
            }
            clearedOtherMode = true
        }
        let now = clock()
        if let last = lastFullSync, now.timeIntervalSince(last) >= fullSyncPeriod { invalidate() }
        let synced: (result: ProxyApplier.SyncResult, problems: [String])
        switch mode {
        case .iptables:
            let generated = iptablesGenerator.generate(services: services, endpoints: endpoints)
            synced = (try applier.sync(generated.ruleset), generated.problems)
        case .nftables:
            let generated = nftablesGenerator.generate(services: services, endpoints: endpoints)
            synced = (try nftablesApplier.sync(generated.ruleset), generated.problems)
        }
        if synced.result.kind == .full { lastFullSync = now }
        return synced
    }

    /// Makes the next sync a full one.
    public func invalidate() {
        applier.invalidate()
        nftablesApplier.invalidate()
    }

    /// Removes every rule, chain and table the proxy made in either mode
    /// (`swiftlet proxy --cleanup`).
    public func cleanup() throws {
        try applier.cleanup()
        try nftablesApplier.cleanup()
    }
}
