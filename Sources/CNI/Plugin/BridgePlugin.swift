import Logging
import NetAddress
import NodeSupport

#if canImport(Glibc)
    import Glibc
#endif

/// swiftlet-bridge's ADD, DEL and CHECK: a veth pair from the pod's namespace to a
/// Linux bridge, addresses from IPAM, optional gateway, default route and masquerade —
/// the reference bridge plugin's behaviour, done through netlink.
public struct BridgePlugin {
    public let env: PluginEnvironment
    /// The whole process environment, handed to a delegated IPAM plugin.
    public let processEnvironment: [String: String]
    public let networkConfig: NetworkConfig
    public let config: BridgeConfig
    let logger: Logger
    /// The plugin's only way to rtnetlink.
    let netlink: any Netlink

    public init(
        env: PluginEnvironment, processEnvironment: [String: String], networkConfig: NetworkConfig,
        logger: Logger
    ) throws {
        try self.init(env: env, processEnvironment: processEnvironment, networkConfig: networkConfig,
                      netlink: KernelNetlink(), logger: logger)
    }

    init(
        env: PluginEnvironment, processEnvironment: [String: String], networkConfig: NetworkConfig,
        netlink: any Netlink, logger: Logger
    ) throws {
        self.netlink = netlink
        self.env = env
        self.processEnvironment = processEnvironment
        self.networkConfig = networkConfig
        self.config = try BridgeConfig(networkConfig)
        self.logger = logger
    }

    // MARK: - ADD

    public func add() throws -> CNIResult {
        let netnsFD: Int32
        do {
            netnsFD = try NetworkNamespace.open(env.netns)
        } catch let error as SystemError {
            throw CNIError(
                .unknownContainer, "failed to open netns \"\(env.netns)\": \(SystemError.message(error.errno, style: .libc))")
        }
        defer { close(netnsFD) }

        var result = try ipamAdd()
        var hostVethName: String?
        var masqueraded: [IPv4Address] = []
        let host: any NetlinkLinks
        do {
            host = try netlink.openHost()
        } catch let error as SystemError {
            _ = try? ipamDel()
            throw CNIError(.hostSetupFailed, error.description)
        }
        do {
            let bridge = try ensureBridge(host)
            let hostVeth = try createVeth(host, bridge: bridge, netnsFD: netnsFD)
            hostVethName = hostVeth
            guard let hostLink = try host.link(named: hostVeth) else {
                throw CNIError(.hostSetupFailed, "veth \(hostVeth) vanished after creation")
            }
            if config.hairpinMode { try host.setHairpin(index: hostLink.index, name: hostVeth, on: true) }

            let container = try netlink.open(netnsFD: netnsFD, namespace: env.netns)
            guard let containerLink = try container.link(named: env.ifName) else {
                throw CNIError(.hostSetupFailed, "\(env.ifName) is missing in \(env.netns) after creation")
            }
            let v4 = result.ips.compactMap { ip -> (IPv4Prefix, IPv4Address?)? in
                guard let prefix = IPv4Prefix(ip.address) else { return nil }
                return (prefix, ip.gateway.flatMap { IPv4Address($0) })
            }
            let gateway = v4.lazy.compactMap(\.1).first
            if config.isDefaultGateway, let gateway {
                let defaultRoute = result.routes.first { $0.dst == "0.0.0.0/0" }
                if let gw = defaultRoute?.gw, gw != gateway.description {
                    throw CNIError(
                        .invalidNetworkConfig, "isDefaultGateway ineffective because IPAM sets default route via \(gw)")
                }
                if defaultRoute == nil {
                    result.routes.append(CNIResult.Route(dst: "0.0.0.0/0", gw: gateway.description))
                }
            }
            try container.setLink(index: containerLink.index, name: env.ifName, up: true)
            for (prefix, _) in v4 { try container.addAddress(index: containerLink.index, name: env.ifName, prefix) }
            for route in result.routes {
                guard let dst = IPv4Prefix(route.dst) else { continue }
                let gw = route.gw.flatMap { IPv4Address($0) } ?? gateway
                try container.addRoute(dst, gateway: gw, index: containerLink.index, name: env.ifName)
            }
            if config.isGateway {
                for case (let prefix, let gw?) in v4 {
                    try host.addAddress(
                        index: bridge.index, name: config.bridge, IPv4Prefix(address: gw, length: prefix.length))
                }
                try enableForwarding()
            }
            if config.ipMasq {
                let masq = try IPMasq()
                for (prefix, _) in v4 {
                    try masq.add(
                        network: config.name, subnet: prefix.masked, containerID: env.containerID, pod: prefix.address)
                    masqueraded.append(prefix.address)
                }
            }
            let bridgeLink = try host.link(index: bridge.index) ?? bridge
            result.interfaces = [
                CNIResult.Interface(name: config.bridge, mac: bridgeLink.mac),
                CNIResult.Interface(name: hostVeth, mac: hostLink.mac),
                CNIResult.Interface(name: env.ifName, mac: containerLink.mac, sandbox: env.netns),
            ]
            for i in result.ips.indices { result.ips[i].interface = 2 }
            if config.dns.objectValue?.isEmpty == false { result.dns = config.dns }
            result.cniVersion = config.cniVersion
            return result
        } catch {
            if let masq = try? IPMasq() {
                for pod in masqueraded {
                    try? masq.delete(network: config.name, containerID: env.containerID, pod: pod, lastPod: false)
                }
            }
            if let hostVethName, let link = try? host.link(named: hostVethName) {
                try? host.deleteLink(index: link.index, name: hostVethName)
            }
            _ = try? ipamDel()
            if let hostError = error as? SystemError { throw CNIError(.hostSetupFailed, hostError.description) }
            throw error
        }
    }

    private func ensureBridge(_ host: any NetlinkLinks) throws -> NetlinkLink {
        if try host.link(named: config.bridge) == nil {
            // false: a racing ADD made it. A MAC of its own keeps the gateway's address
            // stable: a bridge without one takes the lowest port MAC as ports come and go,
            // and every pod's ARP entry for the gateway goes stale.
            _ = try host.addBridge(name: config.bridge, mtu: config.mtu, mac: Self.randomLocalMAC())
        }
        guard var bridge = try host.link(named: config.bridge) else {
            throw CNIError(.hostSetupFailed, "bridge \(config.bridge) vanished after creation")
        }
        guard bridge.kind == "bridge" else {
            throw CNIError(
                .hostSetupFailed, "\(config.bridge) already exists but is not a bridge (kind \"\(bridge.kind)\")")
        }
        if !bridge.isUp || (config.promiscMode && !bridge.isPromiscuous) {
            try host.setLink(
                index: bridge.index, name: config.bridge, up: true, promiscuous: config.promiscMode ? true : nil)
            bridge = try host.link(index: bridge.index) ?? bridge
        }
        return bridge
    }

    /// A random unicast, locally administered MAC (bit 1 of the first byte set, bit 0 clear).
    static func randomLocalMAC() -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        var mac = (0..<6).map { _ in UInt8.random(in: 0...255, using: &rng) }
        mac[0] = (mac[0] & 0xfe) | 0x02
        return mac
    }

    /// Creates the pair with a fresh random host name ("veth" + 8 hex, as the reference).
    private func createVeth(_ host: any NetlinkLinks, bridge: NetlinkLink, netnsFD: Int32) throws -> String {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<8 {
            let hex = String(rng.next() as UInt32, radix: 16)
            let name = "veth" + String(repeating: "0", count: 8 - hex.count) + hex
            do {
                try host.addVeth(
                    name: name, peer: env.ifName, mtu: config.mtu, master: bridge.index, peerNetnsFD: netnsFD)
                return name
            } catch let error as SystemError where error.errno == EEXIST {
                if try host.link(named: name) == nil {
                    throw CNIError(.hostSetupFailed, "container veth name \(env.ifName) already exists in \(env.netns)")
                }
            }
        }
        throw CNIError(.tryAgainLater, "could not find a free host veth name")
    }

    private func enableForwarding() throws {
        let path = "/proc/sys/net/ipv4/ip_forward"
        if let current = try Posix.readFile(path), current.first == UInt8(ascii: "1") { return }
        try Posix.writeFile(path, Array("1".utf8))
    }

    // MARK: - DEL

    public func del() throws {
        // The container side goes first (a veth takes its host peer along); the kernel's
        // teardown wait overlaps the IPAM and iptables work below.
        var pending: (any NetlinkLinks, Int32, Int32)?
        defer { if let (_, _, fd) = pending { close(fd) } }
        if !env.netns.isEmpty {
            do {
                let fd = try NetworkNamespace.open(env.netns)
                let container = try netlink.open(netnsFD: fd, namespace: env.netns)
                pending = (container, -1, fd)
                if let link = try container.link(named: env.ifName) {
                    pending = (container, link.index, fd)
                }
            } catch let error as SystemError where error.errno == ENOENT || error.errno == EINVAL {
                // Gone, or only the file of an unpinned namespace is left: nothing to delete.
                logger.debug("netns already gone", metadata: ["netns": "\(env.netns)"])
            } catch let error as SystemError {
                throw CNIError(.hostSetupFailed, error.description)
            }
        }
        if let (container, index, fd) = pending, index > 0, !netlink.deleteDetached(netnsFD: fd, index: index) {
            try? container.deleteLink(index: index, name: env.ifName)
        }

        // host-local frees the addresses and, under the same lock, drops the masquerade
        // rules, so the last DEL of a network removes its chain even when DELs race.
        let masq = config.ipMasq ? try IPMasq() : nil
        func removeMasquerade(_ released: [IPv4Address], lastPod: Bool) throws {
            guard let masq else { return }
            var pods = Set(released)
            for ip in config.prevResult?.ips ?? [] { if let p = IPv4Prefix(ip.address) { pods.insert(p.address) } }
            for pod in pods.sorted() {
                try masq.delete(network: config.name, containerID: env.containerID, pod: pod, lastPod: lastPod)
            }
        }
        if isHostLocal {
            try hostLocal().release(containerID: env.containerID, ifName: env.ifName) { released, empty in
                try removeMasquerade(released, lastPod: empty)
            }
        } else {
            _ = try delegate(.del)
            try removeMasquerade([], lastPod: true)
        }

        if let (container, index, _) = pending, index > 0 {
            do {
                try container.waitUntilGone(index: index, name: env.ifName)
            } catch let error as SystemError {
                throw CNIError(.hostSetupFailed, error.description)
            }
        }
    }

    // MARK: - CHECK

    public func check() throws {
        guard let prev = config.prevResult else {
            throw CNIError(.invalidNetworkConfig, "CHECK needs prevResult in the network config")
        }
        do {
            let fd: Int32
            do {
                fd = try NetworkNamespace.open(env.netns)
            } catch let error as SystemError {
                throw CNIError(
                    .unknownContainer,
                    "failed to open netns \"\(env.netns)\": \(SystemError.message(error.errno, style: .libc))")
            }
            defer { close(fd) }
            let host = try netlink.openHost()
            guard let bridge = try host.link(named: config.bridge), bridge.kind == "bridge" else {
                throw CNIError(.checkFailed, "bridge \(config.bridge) is missing")
            }
            let container = try netlink.open(netnsFD: fd, namespace: env.netns)
            guard let link = try container.link(named: env.ifName) else {
                throw CNIError(.checkFailed, "interface \(env.ifName) is missing in \(env.netns)")
            }
            guard let sandboxIndex = prev.interfaces.firstIndex(where: { $0.sandbox != nil && $0.name == env.ifName })
            else {
                throw CNIError(.checkFailed, "prevResult has no sandbox interface \(env.ifName)")
            }
            if let mac = prev.interfaces[sandboxIndex].mac, mac.lowercased() != link.mac {
                throw CNIError(.checkFailed, "\(env.ifName) has MAC \(link.mac ?? "none"), prevResult says \(mac)")
            }
            guard link.kind == "veth" else {
                throw CNIError(.checkFailed, "\(env.ifName) in \(env.netns) is a \(link.kind), not a veth")
            }
            let present = try container.addresses(index: link.index, name: env.ifName)
            for ip in prev.ips where ip.interface == nil || ip.interface == sandboxIndex {
                guard let want = IPv4Prefix(ip.address) else { continue }
                guard present.contains(want) else {
                    throw CNIError(.checkFailed, "\(env.ifName) does not have address \(want)")
                }
            }
            for route in prev.routes {
                guard let dst = IPv4Prefix(route.dst) else { continue }
                guard try container.routeExists(dst, index: link.index) else {
                    throw CNIError(.checkFailed, "route to \(route.dst) via \(env.ifName) is missing")
                }
            }
            if let hostVeth = prev.interfaces.first(where: { $0.sandbox == nil && $0.name != config.bridge }) {
                guard let hostLink = try host.link(named: hostVeth.name) else {
                    throw CNIError(.checkFailed, "host veth \(hostVeth.name) is missing")
                }
                guard hostLink.master == bridge.index else {
                    throw CNIError(.checkFailed, "host veth \(hostVeth.name) is not attached to \(config.bridge)")
                }
            }
        } catch let error as SystemError {
            throw CNIError(.checkFailed, error.description)
        }
        try ipamCheck(prev)
    }

    // MARK: - GC and STATUS (CNI 1.1)

    /// Frees the addresses and masquerade rules of attachments missing from
    /// `cni.dev/valid-attachments`.
    public func gc() throws {
        guard let list = networkConfig.json["cni.dev/valid-attachments"]?.arrayValue else {
            throw CNIError(.invalidNetworkConfig, "GC needs \"cni.dev/valid-attachments\" in the network config")
        }
        let valid = Set(
            try list.enumerated().map { i, a -> HostLocalIPAM.Attachment in
                guard let id = a["containerID"]?.stringValue, let ifName = a["ifname"]?.stringValue else {
                    throw CNIError(
                        .invalidNetworkConfig, "cni.dev/valid-attachments[\(i)] needs containerID and ifname")
                }
                return HostLocalIPAM.Attachment(containerID: id, ifName: ifName)
            })
        guard isHostLocal else {
            _ = try delegate(.gc)
            return
        }
        let masq = config.ipMasq ? try IPMasq() : nil
        let stale = try hostLocal().collectGarbage(valid: valid) { released, empty in
            for r in released {
                try masq?.delete(network: config.name, containerID: r.id, pod: r.ip, lastPod: empty)
            }
        }
        logger.debug("GC freed addresses", metadata: ["count": "\(stale.count)"])
    }

    /// Ready when IPAM can serve: host-local's store directory can be created and written.
    public func status() throws {
        guard isHostLocal else {
            _ = try delegate(.status)
            return
        }
        let directory = FileIPAMStore(dataDir: try HostLocalConfig(ipam: config.ipam).dataDir, network: config.name)
            .directory
        do {
            try Posix.makeDirectories(directory)
        } catch let error as SystemError {
            throw CNIError(.pluginNotAvailable, "plugin not available: \(error.description)")
        }
        guard access(directory, W_OK) == 0 else {
            throw CNIError(.pluginNotAvailable, "plugin not available: \(directory) is not writable")
        }
    }

    // MARK: - IPAM

    private var isHostLocal: Bool { config.ipamType == "host-local" }

    private func hostLocal() throws -> HostLocalIPAM {
        HostLocalIPAM(config: try HostLocalConfig(ipam: config.ipam), network: config.name)
    }

    private func ipamAdd() throws -> CNIResult {
        if isHostLocal {
            // CNI_ARGS IP=a,b and the `ips` capability (runtimeConfig.ips: ["a/24"]), as host-local.
            var requested = env.arg("IP").map { $0.split(separator: ",").compactMap { IPv4Address($0) } } ?? []
            for ip in networkConfig.json["runtimeConfig"]?["ips"]?.arrayValue ?? [] {
                if let text = ip.stringValue, let address = IPv4Prefix(text)?.address ?? IPv4Address(text) {
                    requested.append(address)
                }
            }
            return try hostLocal().allocate(
                containerID: env.containerID, ifName: env.ifName, requested: requested,
                cniVersion: config.cniVersion)
        }
        guard let out = try delegate(.add) else {
            throw CNIError(.decodingFailure, "IPAM plugin \(config.ipamType) returned no result")
        }
        return try CNIResult(json: out, source: "IPAM plugin \(config.ipamType) result")
    }

    @discardableResult
    private func ipamDel() throws -> [IPv4Address] {
        if isHostLocal { return try hostLocal().release(containerID: env.containerID, ifName: env.ifName) }
        _ = try delegate(.del)
        return []
    }

    private func ipamCheck(_ prev: CNIResult) throws {
        if isHostLocal {
            let owned = Set(try hostLocal().addresses(containerID: env.containerID, ifName: env.ifName))
            for ip in prev.ips {
                guard let p = IPv4Prefix(ip.address) else { continue }
                guard owned.contains(p.address) else {
                    throw CNIError(.checkFailed, "host-local has no reservation of \(p.address) for \(env.containerID)")
                }
            }
            return
        }
        _ = try delegate(.check)
    }

    /// Runs the IPAM plugin named by ipam.type from CNI_PATH with our config and env.
    private func delegate(_ command: PluginEnvironment.Command) throws -> JSONValue? {
        guard let path = ProcessRunner.find(config.ipamType, in: env.path) else {
            throw CNIError(.pluginNotFound, "failed to find plugin \"\(config.ipamType)\" in path \(env.path)")
        }
        var environment = processEnvironment
        environment["CNI_COMMAND"] = command.rawValue
        let out: ProcessOutput
        do {
            out = try ProcessRunner.run(
                path, environment: environment.map { "\($0)=\($1)" },
                stdin: Array(networkConfig.json.serialized().utf8))
        } catch let error as SystemError {
            throw CNIError(.pluginNotFound, error.description)
        }
        let parsed = try? JSONValue.parse(out.stdout)
        if out.status != 0 {
            if let parsed, let error = CNIError.fromJSON(parsed) { throw error }
            throw CNIError(.internalError, "IPAM plugin \(config.ipamType) failed: \(out.stderrText)")
        }
        return parsed
    }
}
