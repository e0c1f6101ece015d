/// A domain name as a list of raw labels (RFC 1035 §3.1); comparisons ignore ASCII case,
/// as DNS does, while the original spelling is kept for answers.
public struct DNSName: Hashable, Sendable, CustomStringConvertible {
    /// The labels, most specific first, without the empty root label.
    public private(set) var labels: [[UInt8]]

    /// The root name `.`.
    public static let root = DNSName(labels: [])

    /// A name's wire form is at most 255 bytes (RFC 1035 §2.3.4).
    public static let maxWireLength = 255

    /// Names from raw labels; the caller keeps each label to 1...63 bytes.
    public init(labels: [[UInt8]]) {
        self.labels = labels
    }

    /// A name from its dotted text (`web.default.svc.cluster.local`, trailing dot optional).
    /// Returns nil for an empty label, a label over 63 bytes or a name over 255 bytes.
    public init?(_ text: String) {
        var trimmed = Substring(text)
        if trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
        if trimmed.isEmpty {
            self.labels = []
            return
        }
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false).map { Array($0.utf8) }
        guard parts.allSatisfy({ !$0.isEmpty && $0.count <= 63 }) else { return nil }
        self.labels = parts
        guard wireLength <= Self.maxWireLength else { return nil }
    }

    /// Bytes this name takes on the wire without compression.
    public var wireLength: Int { labels.reduce(1) { $0 + 1 + $1.count } }

    /// Lower-cased dotted form without the trailing dot: the key for table look-ups.
    public var key: String {
        labels.map { label in
            String(decoding: label.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 | 0x20 : $0 }, as: UTF8.self)
        }.joined(separator: ".")
    }

    /// Dotted form with the trailing dot, as dig prints names.
    public var description: String {
        labels.isEmpty ? "." : labels.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".") + "."
    }

    /// True when this name equals `zone` or lies below it.
    public func isSubdomain(of zone: DNSName) -> Bool {
        guard labels.count >= zone.labels.count else { return false }
        return DNSName(labels: Array(labels.suffix(zone.labels.count))) == zone
    }

    /// The name with its first `count` labels removed.
    public func dropping(_ count: Int) -> DNSName {
        DNSName(labels: Array(labels.dropFirst(count)))
    }

    /// `label` prepended to this name.
    public func prepending(_ label: String) -> DNSName {
        DNSName(labels: [Array(label.utf8)] + labels)
    }

    public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
        guard lhs.labels.count == rhs.labels.count else { return false }
        for (a, b) in zip(lhs.labels, rhs.labels) {
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) where lowercase(x) != lowercase(y) { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        for label in labels {
            hasher.combine(label.count)
            for byte in label { hasher.combine(Self.lowercase(byte)) }
        }
    }

    static func lowercase(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }
}
