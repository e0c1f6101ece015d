import Foundation

/// IP address text <-> the forms DNS uses: A/AAAA bytes, reverse (PTR) names and the dashed
/// labels of pod and endpoint names (`10-244-0-5`, `fd00--1`).
enum DNSAddressText {
    /// 4 bytes for IPv4 text, 16 for IPv6 text, nil otherwise.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// The record data for an address.
    static func record(for bytes: [UInt8]) -> DNSRecordData {
        bytes.count == 4 ? .a(bytes) : .aaaa(bytes)
    }

    /// `d.c.b.a.in-addr.arpa` or the nibble form under `ip6.arpa`.
    static func reverseName(of bytes: [UInt8]) -> DNSName {
        if bytes.count == 4 {
            return DNSName(labels: bytes.reversed().map { Array(String($0).utf8) } + [Array("in-addr".utf8), Array("arpa".utf8)])
        }
        let digits = Array("0123456789abcdef".utf8)
        var labels: [[UInt8]] = []
        for byte in bytes.reversed() {
            labels.append([digits[Int(byte & 0x0F)]])
            labels.append([digits[Int(byte >> 4)]])
        }
        return DNSName(labels: labels + [Array("ip6".utf8), Array("arpa".utf8)])
    }

    /// The label CoreDNS gives an address: dots (or colons) turned into dashes.
    static func dashed(_ text: String) -> String {
        String(text.map { $0 == "." || $0 == ":" ? "-" : $0 })
    }

    /// The address a dashed label spells (`10-244-0-5`, `fd00--1`), as CoreDNS reads pod names.
    static func undashed(_ label: String) -> [UInt8]? {
        let dashes = label.filter { $0 == "-" }.count
        if dashes == 3 && !label.contains("--") {
            return bytes(of: label.replacingOccurrences(of: "-", with: ".")).flatMap { $0.count == 4 ? $0 : nil }
        }
        return bytes(of: label.replacingOccurrences(of: "-", with: ":")).flatMap { $0.count == 16 ? $0 : nil }
    }
}
