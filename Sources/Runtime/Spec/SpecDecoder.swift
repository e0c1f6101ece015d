#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decodes `config.json` (or an exec `process.json`) into spec types, turning decoding
/// errors into one line that names the file and the JSON field.
public enum SpecDecoder {
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], file: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw RuntimeError.invalidConfig(field: describe(error, file: file).field, reason: describe(error, file: file).reason)
        }
    }

    /// Reads and decodes `path`.
    public static func load<T: Decodable>(_ type: T.Type, path: String) throws -> T {
        let bytes = try FileBytes.read(path)
        return try decode(type, from: bytes, file: path)
    }

    static func describe(_ error: DecodingError, file: String) -> (field: String, reason: String) {
        switch error {
        case .typeMismatch(let type, let context):
            return (field(file, context.codingPath), "expected \(typeName(type))")
        case .valueNotFound(let type, let context):
            return (field(file, context.codingPath), "expected \(typeName(type)), found null")
        case .keyNotFound(let key, let context):
            return (field(file, context.codingPath + [key]), "missing")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return (file, "invalid JSON" + underlying(context))
            }
            return (field(file, context.codingPath), context.debugDescription)
        @unknown default:
            return (file, "\(error)")
        }
    }

    private static func underlying(_ context: DecodingError.Context) -> String {
        if let inner = context.underlyingError {
            let text = "\(inner)"
            if !text.isEmpty { return " (\(text.split(separator: "\n").first ?? ""))" }
        }
        return ""
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type, is UInt32.Type, is UInt64.Type, is Int32.Type: return "a number"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "an object"
        }
    }

    /// "config.json: linux.namespaces[2].type".
    static func field(_ file: String, _ path: [CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text.isEmpty ? file : "\(file): \(text)"
    }
}
