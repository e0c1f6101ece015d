import Foundation
import Logging

/// Host settings Services need on a bridged pod network: bridged IPv4 traffic must pass
/// through iptables (br_netfilter) so replies between pods on one bridge are un-DNATed, and a
/// pod reaching itself through its Service needs hairpin mode on its bridge port.
///
/// The sysctls under /proc/sys/net are per network namespace (bridge-nf-call-iptables since
/// Linux 5.3), so this touches only the namespace the agent runs in. Loading the
/// br_netfilter module is host-global: it is attempted only when the sysctl is missing.
public struct BridgeNetfilter: Sendable {
    /// Result of `enable()`.
    public enum Outcome: Sendable, Equatable {
        /// The sysctl was there (module built in or already loaded) and is now 1.
        case enabled
        /// `modprobe br_netfilter` had to load the module first (a host-wide change).
        case enabledAfterLoadingModule
    }

    private let procRoot: String
    private let loadModule: @Sendable () -> Bool
    private let logger: Logger

    /// - Parameters:
    ///   - procRoot: where /proc is (tests hand in a temp dir).
    ///   - loadModule: loads br_netfilter; returns success. Defaults to `modprobe br_netfilter`.
    public init(procRoot: String = "/proc", loadModule: (@Sendable () -> Bool)? = nil,
                logger: Logger = Logger(label: "swiftlet.kubeproxy")) {
        self.procRoot = procRoot
        self.loadModule = loadModule ?? { (try? Command.run("modprobe", ["br_netfilter"]).status) == 0 }
        self.logger = logger
    }

    var callIPTablesPath: String { procRoot + "/sys/net/bridge/bridge-nf-call-iptables" }
    var routeLocalnetPath: String { procRoot + "/sys/net/ipv4/conf/all/route_localnet" }

    /// Sets `net.bridge.bridge-nf-call-iptables=1` in this network namespace, loading
    /// br_netfilter first if the sysctl does not exist.
    @discardableResult
    public func enable() throws -> Outcome {
        var outcome = Outcome.enabled
        if !FileManager.default.fileExists(atPath: callIPTablesPath) {
            logger.warning("br_netfilter is not loaded; running modprobe br_netfilter (affects the whole host)")
            guard loadModule(), FileManager.default.fileExists(atPath: callIPTablesPath) else {
                throw ProxyError("\(callIPTablesPath): missing and modprobe br_netfilter failed; pods on one bridge cannot reach each other through Services")
            }
            outcome = .enabledAfterLoadingModule
        }
        try write("1", to: callIPTablesPath)
        return outcome
    }

    /// True when bridged IPv4 traffic goes through iptables in this network namespace.
    public func isEnabled() -> Bool {
        (try? String(contentsOfFile: callIPTablesPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    /// Sets `net.ipv4.conf.all.route_localnet=1`, which NodePorts on 127.0.0.1 need.
    public func enableRouteLocalnet() throws {
        try write("1", to: routeLocalnetPath)
    }

    /// Turns on hairpin mode for `port` (a bridge port such as a pod's host-side veth), so the
    /// bridge may send a frame back out of the port it came in: a pod reaching itself through
    /// its Service. Uses netlink through `ip`, never sysfs, which can show another namespace.
    /// - Parameter networkNamespace: a named namespace (`ip netns`) holding the port, if not ours.
    public static func enableHairpin(port: String, networkNamespace: String? = nil) throws {
        let scope = networkNamespace.map { ["-n", $0] } ?? []
        let result = try Command.run("ip", scope + ["link", "set", "dev", port, "type", "bridge_slave", "hairpin", "on"])
        guard result.status == 0 else {
            throw ProxyError("ip link set dev \(port) hairpin on failed: \(result.stderr.split(separator: "\n").first ?? "")")
        }
    }

    private func write(_ value: String, to path: String) throws {
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw ProxyError("\(path): cannot open for writing")
        }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Data(value.utf8))
        } catch {
            throw ProxyError("\(path): cannot write \(value): \(error.localizedDescription)")
        }
    }
}
