/// A value that is either an integer or a string, e.g. a port number or name, or "25%"
/// (`intstr.IntOrString`). Encodes as a bare JSON number or string.
public enum IntOrString: Codable, Sendable, Hashable, CustomStringConvertible, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral
{
    case int(Int)
    case string(String)

    public init(integerLiteral value: Int) { self = .int(value) }
    public init(stringLiteral value: String) { self = .string(value) }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else {
            throw DecodingError.typeMismatch(
                IntOrString.self,
                .init(codingPath: decoder.codingPath, debugDescription: "expected an integer or a string"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }

    public var description: String {
        switch self {
        case .int(let value): return String(value)
        case .string(let value): return value
        }
    }

    /// The integer, if this holds one.
    public var intValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The string, if this holds one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// Resolves an absolute number or a percentage of `total`, as upstream's
    /// `GetScaledValueFromIntOrPercent`: "25%" of 10 is 3 when rounding up, 2 when down.
    /// Returns nil for a string that is not an integer percentage.
    public func scaledValue(total: Int, roundUp: Bool) -> Int? {
        switch self {
        case .int(let value):
            return value
        case .string(let text):
            guard text.hasSuffix("%"), let percent = Int(text.dropLast()) else { return nil }
            // Int128 keeps absurd percentages from trapping; the result saturates.
            let product = Int128(percent) * Int128(total)
            let scaled = roundUp && product >= 0 ? (product + 99) / 100 : product / 100
            return Int(clamping: scaled)
        }
    }
}
