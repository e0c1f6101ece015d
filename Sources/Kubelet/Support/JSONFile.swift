import Foundation

/// Small JSON files written atomically (temp file + rename), so a reader never sees half.
public enum JSONFile {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601WithFractions
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601WithFractions
        return decoder
    }()

    public static func write<T: Encodable>(_ value: T, to path: String) throws {
        try AtomicFile.write(try encoder.encode(value), to: path)
    }

    public static func read<T: Decodable>(_ type: T.Type, from path: String) -> T? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? decoder.decode(type, from: data)
    }
}

extension JSONEncoder.DateEncodingStrategy {
    /// RFC 3339 with fractional seconds: container start and finish times need sub-second
    /// precision for ordering restarts.
    static let iso8601WithFractions = JSONEncoder.DateEncodingStrategy.custom { date, encoder in
        var container = encoder.singleValueContainer()
        try container.encode(ISO8601.fractional.string(from: date))
    }
}

extension JSONDecoder.DateDecodingStrategy {
    static let iso8601WithFractions = JSONDecoder.DateDecodingStrategy.custom { decoder in
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = ISO8601.fractional.date(from: text) ?? ISO8601.plain.date(from: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad time \(text)"))
        }
        return date
    }
}

enum ISO8601 {
    nonisolated(unsafe) static let fractional: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
    nonisolated(unsafe) static let plain = ISO8601DateFormatter()
}
