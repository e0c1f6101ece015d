import Foundation
import Yams

/// Serializes API objects the way kubectl prints them: keys sorted (kubectl prints through
/// unstructured maps, so `apiVersion, kind, metadata, spec, status` and alphabetical below),
/// nils omitted, timestamps RFC 3339, Secret data base64; YAML quotes strings that would
/// otherwise read back as numbers or booleans. Output is deterministic.
public enum KubeEncoder {
    /// Why an object could not be serialized.
    public struct EncodingFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Compact JSON with sorted keys.
    public static func json<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// JSON indented by four spaces, as `kubectl get -o json` prints it, ending in a newline.
    public static func prettyJSON<T: Encodable>(_ value: T) throws -> String {
        var out = ""
        write(try tree(value), indent: 0, to: &out)
        return out + "\n"
    }

    /// YAML as `kubectl get -o yaml` prints it: keys sorted, block style.
    public static func yaml<T: Encodable>(_ value: T) throws -> String {
        let node = yamlNode(try tree(value))
        return try Yams.serialize(node: node, indent: 2, width: -1, allowUnicode: true, sortKeys: true)
    }

    /// The encoded value as an ordered tree (re-read through the YAML composer, which keeps
    /// key order, unlike `JSONSerialization`).
    static func tree<T: Encodable>(_ value: T) throws -> ManifestValue {
        let data = try json(value)
        guard let text = String(data: data, encoding: .utf8),
            let node = try Yams.compose(yaml: text, .default, .default, .utf8)
        else { throw EncodingFailure(description: "encoded JSON could not be re-read") }
        var builder = ManifestValueBuilder(maxDepth: 10_000, maxNodes: Int.max)
        return try builder.build(node)
    }

    private static func write(_ value: ManifestValue, indent: Int, to out: inout String) {
        let pad = String(repeating: " ", count: indent + 4)
        let closePad = String(repeating: " ", count: indent)
        switch value {
        case .array(let items) where items.isEmpty:
            out += "[]"
        case .object(let pairs) where pairs.isEmpty:
            out += "{}"
        case .array(let items):
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += pad
                write(item, indent: indent + 4, to: &out)
                out += index < items.count - 1 ? ",\n" : "\n"
            }
            out += closePad + "]"
        case .object(let pairs):
            out += "{\n"
            for (index, pair) in pairs.enumerated() {
                out += pad + String(decoding: ManifestValue.string(pair.0).jsonData, as: UTF8.self) + ": "
                write(pair.1, indent: indent + 4, to: &out)
                out += index < pairs.count - 1 ? ",\n" : "\n"
            }
            out += closePad + "}"
        default:
            out += String(decoding: value.jsonData, as: UTF8.self)
        }
    }

    private static func yamlNode(_ value: ManifestValue) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null), .plain)
        case .bool(let flag): return Node(flag ? "true" : "false", Tag(.bool), .plain)
        case .int(let number): return Node(String(number), Tag(.int), .plain)
        case .double(let number): return Node("\(number)", Tag(.float), .plain)
        case .string(let text):
            if text.contains("\n") { return Node(text, Tag(.str), .literal) }
            let implicit = Resolver.default.resolveTag(of: Node(text))
            let ambiguous = implicit != .str || text.isEmpty || text.first == " " || text.last == " "
            return Node(text, Tag(.str), ambiguous ? .doubleQuoted : .any)
        case .array(let items):
            return Node(items.map(yamlNode), Tag(.seq), .block)
        case .object(let pairs):
            return Node(pairs.map { (Node($0.0, Tag(.str), .any), yamlNode($0.1)) }, Tag(.map), .block)
        }
    }
}
