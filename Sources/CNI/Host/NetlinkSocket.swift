import CNetlink
import NetAddress
import NodeSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A link as rtnetlink reports it.
struct NetlinkLink: Equatable {
    var index: Int32
    var name: String
    var mtu: Int
    var flags: UInt32
    var master: Int32
    var mac: String?
    var kind: String

    var isUp: Bool { flags & UInt32(IFF_UP) != 0 }
    var isPromiscuous: Bool { flags & UInt32(IFF_PROMISC) != 0 }
}

/// An rtnetlink socket bound to one network namespace: the host seam for links,
/// addresses and routes (C in CNetlink/netlink.c does the messages).
final class NetlinkSocket: NetlinkLinks {
    private let handle: OpaquePointer
    let namespace: String

    /// A socket in the caller's namespace, or in the one `netnsFD` refers to.
    init(netnsFD: Int32 = -1, namespace: String = "host") throws {
        guard let h = crs_nl_open(netnsFD) else {
            throw SystemError("open netlink socket in", namespace)
        }
        handle = h
        self.namespace = namespace
    }

    deinit { crs_nl_close(handle) }

    private func check(_ rc: Int32, _ operation: String, _ detail: String) throws {
        if rc < 0 { throw SystemError(operation, "\(detail) (netns \(namespace))") }
    }

    /// The link named `name`, nil when there is none.
    func link(named name: String) throws -> NetlinkLink? {
        try link(name: name, index: 0)
    }

    func link(index: Int32) throws -> NetlinkLink? {
        try link(name: nil, index: index)
    }

    private func link(name: String?, index: Int32) throws -> NetlinkLink? {
        var out = crs_nl_link()
        if crs_nl_link_get(handle, name, index, &out) < 0 {
            if errno == ENODEV { return nil }
            throw SystemError("look up link", name ?? "#\(index)")
        }
        let linkName = withUnsafeBytes(of: out.name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        let kind = withUnsafeBytes(of: out.kind) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        var mac: String?
        if out.has_mac != 0 {
            mac = withUnsafeBytes(of: out.mac) { raw in
                raw.map { byte -> String in
                    let hex = String(byte, radix: 16)
                    return byte < 16 ? "0" + hex : hex
                }.joined(separator: ":")
            }
        }
        return NetlinkLink(
            index: out.index, name: linkName, mtu: Int(out.mtu), flags: out.flags,
            master: out.master, mac: mac, kind: kind)
    }

    func deleteLink(index: Int32, name: String) throws {
        if crs_nl_link_delete(handle, index) < 0 && errno != ENODEV {
            throw SystemError("delete link", name)
        }
    }

    /// Waits until link `index` (being deleted by crs_nl_link_delete_detached) is gone;
    /// deletes it plainly if it is still listed after `timeout` seconds.
    func waitUntilGone(index: Int32, name: String, timeout: Double) throws {
        func now() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }
        let deadline = now() + timeout
        while let link = try link(index: index), link.name == name {
            if now() >= deadline {
                try deleteLink(index: index, name: name)
                return
            }
            usleep(200)
        }
    }

    /// Creates an up bridge with `mac` (6 bytes) as its fixed address; false when a link of
    /// that name exists already.
    func addBridge(name: String, mtu: Int?, mac: [UInt8]) throws -> Bool {
        precondition(mac.count == 6)
        if crs_nl_bridge_add(handle, name, Int32(mtu ?? 0), mac) < 0 {
            if errno == EEXIST { return false }
            throw SystemError("create bridge", name)
        }
        return true
    }

    /// Creates a veth pair `name` (here, enslaved to `master`) / `peer` (in `peerNetnsFD`), both up.
    /// Throws with errno EEXIST when either name is taken.
    func addVeth(name: String, peer: String, mtu: Int?, master: Int32, peerNetnsFD: Int32) throws {
        try check(
            crs_nl_veth_add(handle, name, peer, Int32(mtu ?? 0), master, peerNetnsFD),
            "create veth pair", "\(name)/\(peer)")
    }

    func setLink(index: Int32, name: String, up: Bool?, promiscuous: Bool?, mtu: Int?) throws {
        let upArg: Int32 = up.map { $0 ? 1 : 0 } ?? -1
        let promiscArg: Int32 = promiscuous.map { $0 ? 1 : 0 } ?? -1
        try check(crs_nl_link_set(handle, index, upArg, promiscArg, Int32(mtu ?? 0), -1), "configure link", name)
    }

    func setHairpin(index: Int32, name: String, on: Bool) throws {
        try check(crs_nl_link_set_hairpin(handle, index, on ? 1 : 0), "set hairpin mode on", name)
    }

    /// Adds an IPv4 address; false when the link has it already.
    @discardableResult
    func addAddress(index: Int32, name: String, _ prefix: IPv4Prefix) throws -> Bool {
        let rc = prefix.address.bytes.withUnsafeBytes {
            crs_nl_addr_add(handle, index, Int32(AF_INET), $0.baseAddress, Int32(prefix.length))
        }
        if rc < 0 {
            if errno == EEXIST { return false }
            throw SystemError("add address \(prefix) to", name)
        }
        return true
    }

    /// The IPv4 addresses of a link.
    func addresses(index: Int32, name: String) throws -> [IPv4Prefix] {
        var out = [crs_nl_addr](repeating: crs_nl_addr(), count: 64)
        let n = crs_nl_addr_list(handle, index, Int32(AF_INET), &out, Int32(out.count))
        if n < 0 { throw SystemError("list addresses of", name) }
        return out[0..<Int(n)].map { a in
            let v = withUnsafeBytes(of: a.addr) {
                UInt32($0[0]) << 24 | UInt32($0[1]) << 16 | UInt32($0[2]) << 8 | UInt32($0[3])
            }
            return IPv4Prefix(address: IPv4Address(v), length: Int(a.prefix_len))
        }
    }

    /// Adds a route to `dst` via `gateway` (nil: on-link) out of link `index`; false when present.
    @discardableResult
    func addRoute(_ dst: IPv4Prefix, gateway: IPv4Address?, index: Int32, name: String) throws -> Bool {
        let dstBytes = dst.network.bytes
        let rc: Int32 = dstBytes.withUnsafeBytes { d in
            if let gateway {
                return gateway.bytes.withUnsafeBytes { g in
                    crs_nl_route_add(handle, Int32(AF_INET), d.baseAddress, Int32(dst.length), g.baseAddress, index)
                }
            }
            return crs_nl_route_add(handle, Int32(AF_INET), d.baseAddress, Int32(dst.length), nil, index)
        }
        if rc < 0 {
            if errno == EEXIST { return false }
            throw SystemError("add route to \(dst)\(gateway.map { " via \($0)" } ?? "") on", name)
        }
        return true
    }

    func routeExists(_ dst: IPv4Prefix, index: Int32) throws -> Bool {
        let rc = dst.network.bytes.withUnsafeBytes {
            crs_nl_route_exists(handle, Int32(AF_INET), $0.baseAddress, Int32(dst.length), index)
        }
        if rc < 0 { throw SystemError("list routes to", dst.description) }
        return rc == 1
    }
}

/// The kernel's rtnetlink, through `NetlinkSocket`.
struct KernelNetlink: Netlink {
    func open(netnsFD: Int32, namespace: String) throws -> any NetlinkLinks {
        try NetlinkSocket(netnsFD: netnsFD, namespace: namespace)
    }

    func deleteDetached(netnsFD: Int32, index: Int32) -> Bool {
        crs_nl_link_delete_detached(netnsFD, index) >= 0
    }
}

/// Operations on network namespaces by path (a pinned nsfs file or /proc/PID/ns/net).
public enum NetworkNamespace {
    /// Opens a namespace file; the caller closes the fd.
    static func open(_ path: String) throws -> Int32 {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw SystemError("open network namespace", path) }
        return fd
    }

    /// Brings the loopback interface of the namespace at `netnsPath` up, as a runtime
    /// does for every pod sandbox (CNI plugins leave `lo` alone).
    public static func bringLoopbackUp(netnsPath: String) throws {
        do {
            let fd = try open(netnsPath)
            defer { close(fd) }
            let socket = try NetlinkSocket(netnsFD: fd, namespace: netnsPath)
            guard let lo = try socket.link(named: "lo") else {
                throw CNIError(.hostSetupFailed, "no loopback interface in \(netnsPath)")
            }
            try socket.setLink(index: lo.index, name: "lo", up: true)
        } catch let error as SystemError {
            throw CNIError(.hostSetupFailed, error.description)
        }
    }
}
