/// A resource amount such as `100m`, `1.5Gi` or `1e3` (`resource.Quantity`).
///
/// Held exactly as a count of nano-units (upstream rounds finer values up to 1n), with the
/// notation it was written in, so it re-encodes in upstream's canonical form:
/// `1.5Gi` becomes `1536Mi`, `0.1` becomes `100m`, `2000` becomes `2k`.
public struct Quantity: Codable, Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The notation a quantity keeps when it is re-encoded.
    public enum Format: String, Sendable, Hashable {
        case binarySI = "BinarySI"
        case decimalSI = "DecimalSI"
        case decimalExponent = "DecimalExponent"
    }

    /// Why a string is not a quantity.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case invalid(String)
        case tooLarge(String)

        public var description: String {
            switch self {
            case .invalid: return "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
            case .tooLarge: return "quantity is too large"
            }
        }
    }

    /// The amount in units of 10⁻⁹ (ceil'd).
    public let nanoValue: Int128
    public let format: Format

    static let nano: Int128 = 1_000_000_000
    // Values above this many whole units are refused: every consumer converts to Int64.
    static let maxUnits: Int128 = Int128(Int64.max)

    public init(nanoValue: Int128, format: Format) {
        self.nanoValue = nanoValue
        self.format = format
    }

    /// A whole number of units in the given notation.
    public init(_ value: Int64, format: Format = .decimalSI) {
        self.init(nanoValue: Int128(value) * Quantity.nano, format: format)
    }

    /// An amount of thousandths of a unit (`milliValue` 250 is `250m`).
    public init(milliValue: Int64) {
        self.init(nanoValue: Int128(milliValue) * 1_000_000, format: .decimalSI)
    }

    /// Crashes on an invalid literal; use `init(parsing:)` for input.
    public init(stringLiteral value: String) {
        do { self = try Quantity(parsing: value) } catch { preconditionFailure("invalid quantity literal \(value)") }
    }

    /// Parses a quantity string with the upstream grammar.
    public init(parsing text: String) throws {
        let bytes = Array(text.utf8)
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == 43 || bytes[index] == 45 {
            negative = bytes[index] == 45
            index += 1
        }
        var integerDigits: [UInt8] = []
        var fractionDigits: [UInt8] = []
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
            integerDigits.append(bytes[index] - 48)
            index += 1
        }
        if index < bytes.count, bytes[index] == 46 {
            index += 1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fractionDigits.append(bytes[index] - 48)
                index += 1
            }
        }
        guard !(integerDigits.isEmpty && fractionDigits.isEmpty) else { throw ParseError.invalid(text) }
        let suffix = String(decoding: bytes[index...], as: UTF8.self)

        var format = Format.decimalSI
        var power10 = 0
        var power1024 = 0
        switch suffix {
        case "": break
        case "n": power10 = -9
        case "u": power10 = -6
        case "m": power10 = -3
        case "k": power10 = 3
        case "M": power10 = 6
        case "G": power10 = 9
        case "T": power10 = 12
        case "P": power10 = 15
        case "E": power10 = 18
        case "Ki", "Mi", "Gi", "Ti", "Pi", "Ei":
            format = .binarySI
            power1024 = ["K", "M", "G", "T", "P", "E"].firstIndex(of: String(suffix.prefix(1)))! + 1
        default:
            let exponentText = suffix.dropFirst()
            guard suffix.first == "e" || suffix.first == "E", !exponentText.isEmpty,
                exponentText.allSatisfy({ "0123456789+-".contains($0) }),
                let exponent = Int(exponentText.count > 6 ? "x" : String(exponentText))
            else { throw ParseError.invalid(text) }
            format = .decimalExponent
            power10 = exponent
        }

        // Leading zeros carry no size; fraction digits past 12 only matter for rounding up.
        while integerDigits.first == 0 { integerDigits.removeFirst() }
        var inexact = false
        if fractionDigits.count > 12 {
            inexact = fractionDigits[12...].contains { $0 != 0 }
            fractionDigits = Array(fractionDigits[..<12])
        }
        guard integerDigits.count + max(power10, 0) + power1024 * 4 <= 21 else { throw ParseError.tooLarge(text) }
        if integerDigits.count + fractionDigits.count + power10 < -30 {
            // Far below one nano-unit: only the rounding-up remains.
            let allZero = integerDigits.isEmpty && !fractionDigits.contains { $0 != 0 } && !inexact
            self.init(nanoValue: allZero ? 0 : (negative ? 0 : 1), format: format)
            return
        }

        var numerator: Int128 = 0
        for digit in integerDigits + fractionDigits { numerator = numerator * 10 + Int128(digit) }
        var denominator: Int128 = 1
        for _ in 0..<fractionDigits.count { denominator *= 10 }
        var scale = power10 + 9
        while scale < 0 {
            denominator *= 10
            scale += 1
        }
        var multiplier: Int128 = 1
        for _ in 0..<scale { multiplier *= 10 }
        for _ in 0..<power1024 { multiplier *= 1024 }
        let (product, overflow) = numerator.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { throw ParseError.tooLarge(text) }
        var value = product / denominator
        if product % denominator != 0 || inexact { value += 1 }
        guard value <= Quantity.maxUnits * Quantity.nano else { throw ParseError.tooLarge(text) }
        self.init(nanoValue: negative ? -value : value, format: format)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text: String
        if let integer = try? container.decode(Int.self) {
            text = String(integer)
        } else if let double = try? container.decode(Double.self) {
            text = double.isFinite ? "\(double)" : "x"
        } else {
            text = try container.decode(String.self)
        }
        do {
            self = try Quantity(parsing: text)
        } catch let error as ParseError {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "Invalid value: \"\(text)\": \(error)"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The amount rounded up to a whole unit (bytes, cores…), as upstream's `Value()`.
    public var value: Int64 { Int64(clamping: Quantity.ceilDiv(nanoValue, Quantity.nano)) }

    /// The amount in thousandths rounded up, as upstream's `MilliValue()` (cpu `100m` is 100).
    public var milliValue: Int64 { Int64(clamping: Quantity.ceilDiv(nanoValue, 1_000_000)) }

    /// Whether the amount is below zero.
    public var isNegative: Bool { nanoValue < 0 }

    /// The canonical string upstream would serialize.
    public var description: String {
        if nanoValue == 0 { return "0" }
        if format == .binarySI, nanoValue % Quantity.nano == 0 {
            let units = nanoValue / Quantity.nano
            if units >= 1024 || units <= -1024 {
                var mantissa = units
                var step = 0
                while step < 6, mantissa % 1024 == 0 {
                    mantissa /= 1024
                    step += 1
                }
                return "\(mantissa)" + ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][step]
            }
        }
        var mantissa = nanoValue
        var exponent = -9
        while exponent < 18, mantissa % 1000 == 0 {
            mantissa /= 1000
            exponent += 3
        }
        if format == .decimalExponent {
            return exponent == 0 ? "\(mantissa)" : "\(mantissa)e\(exponent)"
        }
        let suffixes = [-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"]
        return "\(mantissa)\(suffixes[exponent]!)"
    }

    static func ceilDiv(_ a: Int128, _ b: Int128) -> Int128 {
        let q = a / b
        return (a % b != 0 && a > 0) ? q + 1 : q
    }
}

extension Quantity: Comparable {
    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.nanoValue < rhs.nanoValue }
}
