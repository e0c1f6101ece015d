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
/// the rules and apply what changed, through the backend of its mode. Services with invalid
/// fields are left out, and their problems returned for the caller to report (once, not on
/// every sync).
public final class ServiceProxy: @unchecked Sendable {
    public let mode: ProxyMode
    /// The backend of `mode`.
    private let backend: any ProxyBackend
    /// Every backend; those of the other modes have their rules removed once, before the first
    /// sync (a node switching modes must not keep answering with stale rules).
    private let backends: [any ProxyBackend]
    private let logger: Logger
    private var clearedOtherModes = false
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
        let backends: [any ProxyBackend] = [
            IPTablesBackend(options: options, applier: applier),
            NFTablesBackend(options: options, applier: nftablesApplier),
        ]
        self.backends = backends
        // One backend per mode, so the lookup always finds one.
        self.backend = backends.first { $0.mode == mode } ?? backends[0]
        self.logger = logger
    }

    /// Brings the kernel's rules in line with `services` and their `endpoints`; returns the
    /// generation problems (one line per skipped Service) with what the sync did.
    @discardableResult
    public func sync(services: [ServiceInfo], endpoints: [ServiceName: [EndpointInfo]]) throws
        -> (result: ProxySyncResult, problems: [String])
    {
        if !clearedOtherModes {
            for other in backends where other.mode != mode {
                do {
                    try other.cleanup()
                } catch {
                    logger.warning("removing the \(other.mode.rawValue) proxy rules: \(error)")
                }
            }
            clearedOtherModes = true
        }
        let now = clock()
        if let last = lastFullSync, now.timeIntervalSince(last) >= fullSyncPeriod { invalidate() }
        let synced = try backend.sync(services: services, endpoints: endpoints)
        if synced.result.kind == .full { lastFullSync = now }
        return synced
    }

    /// Makes the next sync a full one.
    public func invalidate() {
        for backend in backends { backend.invalidate() }
    }

    /// Removes every rule, chain and table the proxy made in either mode
    /// (`swiftlet proxy --cleanup`).
    public func cleanup() throws {
        for backend in backends { try backend.cleanup() }
    }
}
