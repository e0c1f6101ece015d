/// An IPv4 address with a prefix length ("10.244.0.5/24"): an interface address or a subnet.
public struct IPv4Prefix: Hashable, Sendable, CustomStringConvertible {
    public var address: IPv4Address
    /// 0...32.
    public var length: Int

    public init(address: IPv4Address, length: Int) {
        precondition((0...32).contains(length), "an IPv4 prefix length is 0...32, not \(length)")
        self.address = address
        self.length = length
    }

    /// Parses "a.b.c.d/n" with a dotted quad as `IPv4Address` takes it and n in 0...32 in
    /// decimal digits; nil when it is not that. A length with a leading zero ("/010") is
    /// refused as an octet is: iptables reads it as octal.
    @inlinable
    public init?(_ text: some StringProtocol) {
        guard let slash = text.firstIndex(of: "/"), let address = IPv4Address(text[..<slash]) else { return nil }
        var length = 0
        var digits = 0
        for byte in text[text.index(after: slash)...].utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), !(digits == 1 && length == 0) else { return nil }
            length = length * 10 + Int(byte &- UInt8(ascii: "0"))
            digits += 1
            guard length <= 32 else { return nil }
        }
        guard digits > 0 else { return nil }
        self.init(address: address, length: length)
    }

    /// The network bits set: 255.255.255.0 as a number for a /24.
    public var mask: UInt32 { length == 0 ? 0 : ~UInt32(0) << (32 - UInt32(length)) }
    /// The first address of the subnet.
    public var network: IPv4Address { IPv4Address(address.value & mask) }
    /// The last address of the subnet.
    public var broadcast: IPv4Address { IPv4Address(address.value | ~mask) }
    /// This prefix with the host bits cleared.
    public var masked: IPv4Prefix { IPv4Prefix(address: network, length: length) }

    /// Whether `ip` is in this subnet.
    public func contains(_ ip: IPv4Address) -> Bool { ip.value & mask == address.value & mask }

    /// The addresses a host can hold: all but the network and broadcast addresses, or for a
    /// /31 (point-to-point, RFC 3021) and a /32 every address.
    public var hosts: ClosedRange<IPv4Address> {
        length >= 31 ? network...broadcast : network.advanced(by: 1)...broadcast.advanced(by: -1)
    }

    public var description: String { "\(address)/\(length)" }
}
