/// An IPv4 address as a 32-bit number in host order.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    /// Parses dotted-quad text ("10.244.0.5"); nil if it is not exactly that.
    public init?(_ text: some StringProtocol) {
        var parts: [UInt32] = []
        var current: UInt32 = 0
        var digits = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0 else { return nil }
                parts.append(current)
                current = 0
                digits = 0
            } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                current = current * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, current <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0 else { return nil }
        parts.append(current)
        guard parts.count == 4 else { return nil }
        value = parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3]
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    /// The four bytes in network order, as netlink wants them.
    public var bytes: [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}

/// An IPv4 address with a prefix length ("10.244.0.5/24"): an interface address or a subnet.
public struct IPv4Prefix: Hashable, Sendable, CustomStringConvertible {
    public var address: IPv4Address
    public var length: Int

    public init(address: IPv4Address, length: Int) {
        self.address = address
        self.length = length
    }

    /// Parses "a.b.c.d/n"; nil when it is not that.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(parts[0]), let length = Int(parts[1]),
            (0...32).contains(length), parts[1].allSatisfy(\.isNumber)
        else { return nil }
        self.address = address
        self.length = length
    }

    public var mask: UInt32 { length == 0 ? 0 : ~UInt32(0) << (32 - UInt32(length)) }
    /// The first address of the subnet.
    public var network: IPv4Address { IPv4Address(address.value & mask) }
    /// The last address of the subnet.
    public var broadcast: IPv4Address { IPv4Address(address.value | ~mask) }
    /// This prefix with the host bits cleared.
    public var masked: IPv4Prefix { IPv4Prefix(address: network, length: length) }

    public func contains(_ ip: IPv4Address) -> Bool { ip.value & mask == address.value & mask }

    public var description: String { "\(address)/\(length)" }
}
