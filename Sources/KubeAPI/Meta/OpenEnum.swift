/// A Kubernetes string enumeration that keeps values it does not know, so validation can
/// report them as `Unsupported value` instead of failing to decode (upstream uses string
/// typedefs the same way).
public protocol OpenEnum: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible
where RawValue == String {
    init(rawValue: String)
    /// The values upstream accepts, in upstream's order.
    static var supported: [Self] { get }
}

extension OpenEnum {
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public init(from decoder: Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public var description: String { rawValue }
    /// Whether upstream accepts this value.
    public var isSupported: Bool { Self.supported.contains(self) }
}
