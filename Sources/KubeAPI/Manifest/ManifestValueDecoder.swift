import Foundation

/// A `Decoder` reading typed objects straight from a `ManifestValue` tree. Compared to a
/// JSON round trip it keeps the full field path on every error, decodes base64 `Data` as
/// the API does, and records which fields were read so the rest can be reported as unknown.
final class ManifestValueDecoder {
    /// Paths of the object keys some type asked for.
    private(set) var usedPaths = Set<String>()

    func decode<T: Decodable>(_ type: T.Type, from value: ManifestValue) throws -> T {
        try ValueDecoder(value: value, codingPath: [], owner: self).decodeValue(type)
    }

    fileprivate func markUsed(_ path: [CodingKey]) { usedPaths.insert(ManifestValueDecoder.pathKey(path)) }

    static func pathKey(_ path: [CodingKey]) -> String {
        path.map { $0.intValue.map { "#\($0)" } ?? $0.stringValue }.joined(separator: "\u{1}")
    }

    /// Object keys present (and not null) in `value` that no type asked for, as field paths.
    func unusedFields(in value: ManifestValue) -> [String] {
        var found: [String] = []
        walk(value, path: [], display: "", into: &found)
        return found
    }

    private func walk(_ value: ManifestValue, path: [CodingKey], display: String, into found: inout [String]) {
        switch value {
        case .object(let pairs):
            for (key, child) in pairs {
                let childPath = path + [NameKey(key)]
                let childDisplay = display.isEmpty ? key : "\(display).\(key)"
                if usedPaths.contains(ManifestValueDecoder.pathKey(childPath)) {
                    walk(child, path: childPath, display: childDisplay, into: &found)
                } else if child != .null {
                    found.append(childDisplay)
                }
            }
        case .array(let items):
            for (index, item) in items.enumerated() {
                walk(item, path: path + [IndexKey(index)], display: "\(display)[\(index)]", into: &found)
            }
        default:
            break
        }
    }
}

struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue!)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}

struct NameKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

private struct ValueDecoder: Decoder {
    let value: ManifestValue
    let codingPath: [CodingKey]
    let owner: ManifestValueDecoder
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func mismatch(_ type: Any.Type, _ expected: String) -> DecodingError {
        DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(value.typeName)"))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let pairs) = value else { throw mismatch([String: Any].self, "an object") }
        var entries: [String: ManifestValue] = [:]
        entries.reserveCapacity(pairs.count)
        for (key, item) in pairs { entries[key] = item }
        return KeyedDecodingContainer(KeyedContainer<Key>(entries: entries, order: pairs.map(\.0), codingPath: codingPath, owner: owner))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw mismatch([Any].self, "a list") }
        return UnkeyedContainer(items: items, codingPath: codingPath, owner: owner)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { self }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if type == Data.self {
            guard case .string(let text) = value else { throw mismatch(type, "a base64 string") }
            guard let data = Data(base64Encoded: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "illegal base64 data"))
            }
            return data as! T
        }
        return try T(from: self)
    }

    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        switch value {
        case .int(let number):
            if let result = T(exactly: number) { return result }
        case .double(let number):
            guard number == number.rounded() else { throw mismatch(type, "an integer") }
            if let result = T(exactly: number) { return result }
        default:
            throw mismatch(type, "an integer")
        }
        throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "out of range for \(T.bitWidth)-bit integers"))
    }
}

extension ValueDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool { value == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(type, "a boolean") }
        return flag
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let text) = value else { throw mismatch(type, "a string") }
        return text
    }

    func decode(_ type: Double.Type) throws -> Double {
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        default: throw mismatch(type, "a number")
        }
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type) }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let entries: [String: ManifestValue]
    let order: [String]
    let codingPath: [CodingKey]
    let owner: ManifestValueDecoder

    var allKeys: [Key] { order.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool {
        owner.markUsed(codingPath + [key])
        return entries[key.stringValue] != nil
    }

    private func child(_ key: Key) throws -> ValueDecoder {
        owner.markUsed(codingPath + [key])
        guard let item = entries[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
        }
        return ValueDecoder(value: item, codingPath: codingPath + [key], owner: owner)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try child(key).value == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let decoder = try child(key)
        if decoder.value == .null, !(T.self is ExpressibleByNilLiteral.Type) {
            throw DecodingError.valueNotFound(type, .init(codingPath: decoder.codingPath, debugDescription: "null"))
        }
        return try decoder.decodeValue(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> Decoder {
        ValueDecoder(value: .object(order.map { ($0, entries[$0]!) }), codingPath: codingPath, owner: owner)
    }

    func superDecoder(forKey key: Key) throws -> Decoder { try child(key) }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let items: [ManifestValue]
    let codingPath: [CodingKey]
    let owner: ManifestValueDecoder
    var currentIndex = 0

    init(items: [ManifestValue], codingPath: [CodingKey], owner: ManifestValueDecoder) {
        self.items = items
        self.codingPath = codingPath
        self.owner = owner
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private mutating func next() throws -> ValueDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "list exhausted"))
        }
        defer { currentIndex += 1 }
        return ValueDecoder(value: items[currentIndex], codingPath: codingPath + [IndexKey(currentIndex)], owner: owner)
    }

    mutating func decodeNil() throws -> Bool {
        if !isAtEnd, items[currentIndex] == .null {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let decoder = try next()
        if decoder.value == .null, !(T.self is ExpressibleByNilLiteral.Type) {
            throw DecodingError.valueNotFound(type, .init(codingPath: decoder.codingPath, debugDescription: "null"))
        }
        return try decoder.decodeValue(type)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> Decoder { try next() }
}
