/// An IPv4 address as a 32-bit number in host order: the one parser and formatter of
/// dotted-quad text for the CNI plugin, the proxy and the kubelet.
public struct IPv4Address: Hashable, Strideable, Sendable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    /// Parses dotted-quad text ("10.244.0.5"); nil unless exactly four decimal octets 0-255.
    /// An octet with a leading zero ("010") is refused: inet_aton and iptables would read it
    /// as octal, so the same text would name another address there. Scans bytes without
    /// allocating: the proxy parses every endpoint of every Service.
    @inlinable
    public init?(_ text: some StringProtocol) {
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var dots = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "."):
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | octet
                (octet, digits) = (0, 0)
                dots += 1
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard !(digits == 1 && octet == 0) else { return nil }
                octet = octet * 10 + UInt32(byte &- UInt8(ascii: "0"))
                digits += 1
                guard octet <= 255 else { return nil }
            default:
                return nil
            }
        }
        guard dots == 3, digits > 0 else { return nil }
        self.value = value << 8 | octet
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    /// The four bytes in network order, as netlink and nf_tables want them.
    public var bytes: [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    // Stated, not left to Strideable's defaults, which would compare through `distance`.
    public static func == (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value == rhs.value }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }

    public func distance(to other: IPv4Address) -> Int { Int(other.value) - Int(value) }

    /// Traps when it would leave 0.0.0.0...255.255.255.255.
    public func advanced(by n: Int) -> IPv4Address { IPv4Address(UInt32(Int(value) + n)) }
}
