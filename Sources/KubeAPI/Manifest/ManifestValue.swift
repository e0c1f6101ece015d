import Foundation
import Yams

/// A parsed YAML/JSON document as plain data, with object keys in document order.
/// The decoder works on this tree so it can bound depth and size, name fields in errors,
/// and spot fields it did not understand.
indirect enum ManifestValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([ManifestValue])
    case object([(String, ManifestValue)])

    static func == (lhs: ManifestValue, rhs: ManifestValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    subscript(key: String) -> ManifestValue? {
        if case .object(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// What a user would call this value's type in an error message.
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "list"
        case .object: return "object"
        }
    }

    /// The value as it appears in an upstream error: strings quoted, containers summarized.
    var errorDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return String(value)
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .string(let value): return "\"\(value.count > 64 ? String(value.prefix(61)) + "..." : value)\""
        case .array: return "[...]"
        case .object: return "{...}"
        }
    }

    func setting(_ key: String, to value: ManifestValue) -> ManifestValue {
        guard case .object(var pairs) = self else { return self }
        if let index = pairs.firstIndex(where: { $0.0 == key }) {
            pairs[index].1 = value
        } else {
            pairs.append((key, value))
        }
        return .object(pairs)
    }

    func removing(_ key: String) -> ManifestValue {
        guard case .object(let pairs) = self else { return self }
        return .object(pairs.filter { $0.0 != key })
    }

    /// Compact JSON text.
    var jsonData: Data {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(to: &out)
        return Data(out)
    }

    private func write(to out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let value): out += Array((value ? "true" : "false").utf8)
        case .int(let value): out += Array(String(value).utf8)
        case .double(let value): out += Array("\(value)".utf8)
        case .string(let value): ManifestValue.writeString(value, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let pairs):
            out.append(UInt8(ascii: "{"))
            for (index, pair) in pairs.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                ManifestValue.writeString(pair.0, to: &out)
                out.append(UInt8(ascii: ":"))
                pair.1.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ text: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [92, 34]
            case UInt8(ascii: "\\"): out += [92, 92]
            case 0x0A: out += [92, UInt8(ascii: "n")]
            case 0x0D: out += [92, UInt8(ascii: "r")]
            case 0x09: out += [92, UInt8(ascii: "t")]
            case 0..<0x20: out += [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The shape (objects, arrays, keys) of a `JSONSerialization` graph; scalars collapse to
    /// null because only keys matter when looking for fields that were not understood.
    init(shapeOf json: Any) {
        switch json {
        case let dictionary as [String: Any]:
            self = .object(dictionary.map { ($0.key, ManifestValue(shapeOf: $0.value)) })
        case let array as [Any]:
            self = .array(array.map { ManifestValue(shapeOf: $0) })
        default:
            self = .null
        }
    }
}

/// Turns Yams nodes into `ManifestValue`s, refusing documents that nest too deeply or
/// expand (through aliases) into too many nodes.
struct ManifestValueBuilder {
    enum Failure: Error {
        case tooDeep(path: String)
        case tooLarge
        case invalid(path: String, message: String)
    }

    let maxDepth: Int
    let maxNodes: Int
    /// Nodes produced so far, counting every expansion of an alias.
    private(set) var nodes = 0
    private var deepest = 0
    /// Anchored subtrees already built: an alias reuses the value (sharing its storage) and
    /// adds its size and height, so an alias bomb is caught without walking it.
    private var anchored: [ObjectIdentifier: (value: ManifestValue, nodes: Int, height: Int)] = [:]

    init(maxDepth: Int, maxNodes: Int) {
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }

    mutating func build(_ node: Node, path: String = "", depth: Int = 0) throws -> ManifestValue {
        guard let anchor = node.anchor else { return try buildNode(node, path: path, depth: depth) }
        let key = ObjectIdentifier(anchor)
        if let cached = anchored[key] {
            nodes += cached.nodes
            guard nodes <= maxNodes else { throw Failure.tooLarge }
            guard depth + cached.height <= maxDepth else { throw Failure.tooDeep(path: path) }
            deepest = max(deepest, depth + cached.height)
            return cached.value
        }
        let (nodesBefore, deepestBefore) = (nodes, deepest)
        deepest = depth
        let value = try buildNode(node, path: path, depth: depth)
        anchored[key] = (value, nodes - nodesBefore, deepest - depth)
        deepest = max(deepest, deepestBefore)
        return value
    }

    private mutating func buildNode(_ node: Node, path: String, depth: Int) throws -> ManifestValue {
        nodes += 1
        guard nodes <= maxNodes else { throw Failure.tooLarge }
        guard depth <= maxDepth else { throw Failure.tooDeep(path: path) }
        deepest = max(deepest, depth)
        switch node {
        case .scalar(let scalar):
            return try scalarValue(scalar, node: node, path: path)
        case .sequence(let sequence):
            var items: [ManifestValue] = []
            items.reserveCapacity(sequence.count)
            for (index, item) in sequence.enumerated() {
                items.append(try build(item, path: "\(path)[\(index)]", depth: depth + 1))
            }
            return .array(items)
        case .mapping(let mapping):
            var pairs: [(String, ManifestValue)] = []
            var seen = Set<String>()
            var merged: [(String, ManifestValue)] = []
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let keyScalar) = keyNode else {
                    throw Failure.invalid(path: path, message: "mapping keys must be strings")
                }
                if keyScalar.string == "<<", keyNode.tag.rawValue == Tag.Name.merge.rawValue {
                    // YAML merge keys, as sigs.k8s.io/yaml (go-yaml) applies them.
                    let sources: [Node]
                    if case .sequence(let list) = valueNode { sources = Array(list) } else { sources = [valueNode] }
                    for source in sources {
                        guard case .object(let sourcePairs) = try build(source, path: path, depth: depth) else {
                            throw Failure.invalid(path: path, message: "merge key value must be a mapping")
                        }
                        merged += sourcePairs
                    }
                    continue
                }
                let key = keyScalar.string
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                seen.insert(key)
                pairs.append((key, try build(valueNode, path: childPath, depth: depth + 1)))
            }
            for (key, value) in merged where !seen.contains(key) {
                seen.insert(key)
                pairs.append((key, value))
            }
            return .object(pairs)
        case .alias:
            throw Failure.invalid(path: path, message: "unresolved alias")
        }
    }

    private func scalarValue(_ scalar: Node.Scalar, node: Node, path: String) throws -> ManifestValue {
        if scalar.style != .plain || scalar.tag.rawValue == Tag.Name.str.rawValue { return .string(scalar.string) }
        switch Tag.Name(rawValue: node.tag.rawValue) {
        case .null:
            return .null
        case .bool:
            if let value = node.bool { return .bool(value) }
        case .int:
            if let value = node.int { return .int(value) }
            if let value = node.float, value.isFinite { return .double(value) }
            throw Failure.invalid(path: path, message: "Invalid value: \(scalar.string): integer out of range")
        case .float:
            if let value = node.float {
                guard value.isFinite else {
                    throw Failure.invalid(path: path, message: "Invalid value: \(scalar.string): not a finite number")
                }
                if value == value.rounded(), abs(value) < 9e15, !scalar.string.contains("."),
                    !scalar.string.lowercased().contains("e")
                {
                    return .int(Int(value))
                }
                return .double(value)
            }
        default:
            break
        }
        return .string(scalar.string)
    }
}
