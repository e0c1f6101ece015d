/// Dotted-quad IPv4 parsing for validating addresses before they reach iptables-restore.
enum IPv4 {
    /// The address as a number; nil unless four decimal octets 0-255 without leading zeros
    /// (which inet_aton would read as octal). Scans bytes: it runs for every endpoint.
    static func value(_ text: String) -> UInt32? {
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var dots = 0
        var leadingZero = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | octet
                (octet, digits, leadingZero) = (0, 0, false)
                dots += 1
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                if leadingZero { return nil }
                if digits == 0 && byte == UInt8(ascii: "0") { leadingZero = true }
                digits += 1
                octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
                if octet > 255 { return nil }
            } else {
                return nil
            }
        }
        guard dots == 3, digits > 0 else { return nil }
        return value << 8 | octet
    }

    static func isAddress(_ text: String) -> Bool { value(text) != nil }

    static func isCIDR(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, isAddress(String(parts[0])), let bits = Int(parts[1]), (0...32).contains(bits) else { return false }
        return true
    }
}
