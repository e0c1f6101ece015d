import NetAddress

/// What the bridge plugin asks of rtnetlink in one network namespace: links, addresses and
/// routes. `NetlinkSocket` is the kernel's; the plugin reaches it only through this.
protocol NetlinkLinks: AnyObject {
    /// The link named `name`, nil when there is none.
    func link(named name: String) throws -> NetlinkLink?
    func link(index: Int32) throws -> NetlinkLink?
    func deleteLink(index: Int32, name: String) throws
    /// Waits until the link is gone (a deleted veth leaves with a delay).
    func waitUntilGone(index: Int32, name: String, timeout: Double) throws
    /// Creates an up bridge with `mac` (6 bytes) as its fixed address; false when one by
    /// that name exists.
    func addBridge(name: String, mtu: Int?, mac: [UInt8]) throws -> Bool
    func addVeth(name: String, peer: String, mtu: Int?, master: Int32, peerNetnsFD: Int32) throws
    func setLink(index: Int32, name: String, up: Bool?, promiscuous: Bool?, mtu: Int?) throws
    func setHairpin(index: Int32, name: String, on: Bool) throws
    /// Adds an address; false when the link has it already.
    @discardableResult
    func addAddress(index: Int32, name: String, _ prefix: IPv4Prefix) throws -> Bool
    func addresses(index: Int32, name: String) throws -> [IPv4Prefix]
    /// Adds a route; false when it exists already.
    @discardableResult
    func addRoute(_ dst: IPv4Prefix, gateway: IPv4Address?, index: Int32, name: String) throws -> Bool
    func routeExists(_ dst: IPv4Prefix, index: Int32) throws -> Bool
}

extension NetlinkLinks {
    func setLink(index: Int32, name: String, up: Bool? = nil, promiscuous: Bool? = nil, mtu: Int? = nil) throws {
        try setLink(index: index, name: name, up: up, promiscuous: promiscuous, mtu: mtu)
    }

    func waitUntilGone(index: Int32, name: String) throws {
        try waitUntilGone(index: index, name: name, timeout: 5)
    }
}

/// Where the bridge plugin gets its netlink: one `NetlinkLinks` per network namespace.
protocol Netlink: Sendable {
    /// Netlink in the caller's namespace (netnsFD -1) or in the one `netnsFD` refers to.
    func open(netnsFD: Int32, namespace: String) throws -> any NetlinkLinks
    /// Deletes link `index` of the namespace `netnsFD` without waiting for the kernel's
    /// teardown; false when that failed (the caller then deletes it the waiting way).
    func deleteDetached(netnsFD: Int32, index: Int32) -> Bool
}

extension Netlink {
    /// Netlink in the caller's (the host's) namespace.
    func openHost() throws -> any NetlinkLinks { try open(netnsFD: -1, namespace: "host") }
}
