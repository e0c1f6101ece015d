import NetAddress
import NodeSupport

/// Where host-local keeps its reservations: the seam between the allocation rule and disk.
public protocol IPAMStore {
    /// Runs `body` holding the store's lock, so concurrent plugins see each other's writes.
    func withLock<T>(_ body: () throws -> T) throws -> T
    /// Every reserved address.
    func reservedAddresses() throws -> Set<IPv4Address>
    /// The addresses reserved for one attachment (container id + interface name).
    func addresses(ownedBy id: String, ifName: String) throws -> [IPv4Address]
    /// Reserves `ip` for the attachment and remembers it as the set's last reservation;
    /// false when the address was taken meanwhile.
    func reserve(_ ip: IPv4Address, id: String, ifName: String, rangeSetIndex: Int) throws -> Bool
    /// The last address reserved from range set `rangeSetIndex`, if any.
    func lastReserved(rangeSetIndex: Int) throws -> IPv4Address?
    /// Frees one address (absent is fine).
    func release(_ ip: IPv4Address) throws
    /// Every reservation with its owner (container id, interface name).
    func reservations() throws -> [(ip: IPv4Address, id: String, ifName: String)]
}

/// The reference host-local's on-disk store: a directory per network holding one file per
/// address (named by the address, holding "<containerID>\r\n<ifname>"), `last_reserved_ip.N`
/// per range set, and a `lock` file that writers flock.
public struct FileIPAMStore: IPAMStore {
    public let directory: String

    /// The store of network `network` under `dataDir`.
    public init(dataDir: String, network: String) {
        directory = dataDir.hasSuffix("/") ? dataDir + network : dataDir + "/" + network
    }

    static func content(id: String, ifName: String) -> String {
        "\(id.trimmingWhitespace())\r\n\(ifName)"
    }

    public func withLock<T>(_ body: () throws -> T) throws -> T {
        do {
            try Posix.makeDirectories(directory)
            let lock = try FileLock(path: directory + "/lock")
            defer { lock.unlock() }
            return try body()
        } catch let error as SystemError {
            throw error.cniError
        }
    }

    public func reservedAddresses() throws -> Set<IPv4Address> {
        Set(try Posix.listDirectory(directory).compactMap { IPv4Address($0) })
    }

    public func addresses(ownedBy id: String, ifName: String) throws -> [IPv4Address] {
        let want = FileIPAMStore.content(id: id, ifName: ifName)
        return try reservedAddresses().sorted().filter { ip in
            guard let bytes = try Posix.readFile("\(directory)/\(ip)") else { return false }
            return String(decoding: bytes, as: UTF8.self).trimmingWhitespace() == want
        }
    }

    public func reserve(_ ip: IPv4Address, id: String, ifName: String, rangeSetIndex: Int) throws -> Bool {
        let content = FileIPAMStore.content(id: id, ifName: ifName)
        guard try Posix.writeFile("\(directory)/\(ip)", Array(content.utf8), exclusive: true) else {
            return false
        }
        try Posix.writeFile("\(directory)/last_reserved_ip.\(rangeSetIndex)", Array(ip.description.utf8))
        return true
    }

    public func lastReserved(rangeSetIndex: Int) throws -> IPv4Address? {
        guard let bytes = try Posix.readFile("\(directory)/last_reserved_ip.\(rangeSetIndex)") else { return nil }
        return IPv4Address(String(decoding: bytes, as: UTF8.self).trimmingWhitespace())
    }

    public func release(_ ip: IPv4Address) throws {
        try Posix.removeFile("\(directory)/\(ip)")
    }

    public func reservations() throws -> [(ip: IPv4Address, id: String, ifName: String)] {
        try reservedAddresses().sorted().compactMap { ip in
            guard let bytes = try Posix.readFile("\(directory)/\(ip)") else { return nil }
            let lines = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
                .split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            guard let id = lines.first else { return nil }
            return (ip, String(id).trimmingWhitespace(), lines.count > 1 ? String(lines[1]).trimmingWhitespace() : "")
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
