import APIStore
import Foundation

/// Turns a `application/vnd.kubernetes.protobuf` body into the JSON object it encodes: the
/// `k8s\0` envelope (a runtime.Unknown with the type and the raw message), then the message
/// by `ProtobufSchemas`. Values Go would leave out of JSON (empty strings, zeros of
/// non-pointer fields, false) are left out; a field the schemas do not know is refused,
/// never silently dropped.
enum ProtobufObjectDecoder {
    static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    struct Unsupported: Error, CustomStringConvertible { var description: String }

    static func decode(_ data: Data) throws -> JSONValue {
        let bytes = [UInt8](data)
        guard bytes.starts(with: magic) else { throw Unsupported(description: "not a Kubernetes protobuf object (no k8s envelope)") }
        var envelope = ProtobufWire(bytes[4...])
        var apiVersion = "", kind = ""
        var raw: ArraySlice<UInt8> = []
        while !envelope.atEnd {
            let (field, value) = try envelope.next()
            guard case .bytes(let payload) = value else { continue }
            switch field {
            case 1:
                var typeMeta = ProtobufWire(payload)
                while !typeMeta.atEnd {
                    let (tf, tv) = try typeMeta.next()
                    if case .bytes(let text) = tv {
                        if tf == 1 { apiVersion = String(decoding: text, as: UTF8.self) }
                        if tf == 2 { kind = String(decoding: text, as: UTF8.self) }
                    }
                }
            case 2: raw = payload
            default: break
            }
        }
        guard let root = ProtobufSchemas.roots[kind] else {
            throw Unsupported(description: "protobuf bodies of kind \(kind.isEmpty ? "(none)" : kind) are not supported; send JSON")
        }
        var object = try message(raw, root)
        object["kind"] = .string(kind)
        object["apiVersion"] = .string(apiVersion)
        return object
    }

    private static func message(_ bytes: ArraySlice<UInt8>, _ name: String) throws -> JSONValue {
        guard let schema = ProtobufSchemas.messages[name] else { throw Unsupported(description: "no schema for \(name)") }
        var fields: [String: JSONValue] = [:]
        var wire = ProtobufWire(bytes)
        while !wire.atEnd {
            let (number, value) = try wire.next()
            guard let field = schema[number] else {
                throw Unsupported(description: "protobuf field \(number) of \(name) is not supported; send JSON")
            }
            if case .ignored = field.type { continue }
            if case .opaque = field.type {
                if case .bytes(let payload) = value, payload.isEmpty { continue }
                throw Unsupported(description: "\(name).\(field.name) is not supported in protobuf bodies; send JSON")
            }
            guard let decoded = try scalar(value, field) else { continue }
            if field.repeated {
                var items = fields[field.name]?.arrayValue ?? []
                items.append(decoded)
                fields[field.name] = .array(items)
            } else if case .object(let entry) = decoded, isMap(field.type) {
                var map = fields[field.name]?.objectValue ?? [:]
                map.merge(entry) { _, new in new }
                fields[field.name] = .object(map)
            } else {
                fields[field.name] = decoded
            }
        }
        return .object(fields)
    }

    private static func isMap(_ type: ProtobufSchemas.FieldType) -> Bool {
        switch type {
        case .stringMap, .bytesMap, .messageMap: return true
        default: return false
        }
    }

    private static func scalar(_ value: ProtobufWire.Value, _ field: ProtobufSchemas.Field) throws -> JSONValue? {
        switch (field.type, value) {
        case (.string, .bytes(let text)):
            let string = String(decoding: text, as: UTF8.self)
            return string.isEmpty && !field.repeated ? nil : .string(string)
        case (.bytes, .bytes(let data)):
            return .string(Data(data).base64EncodedString())
        case (.int, .varint(let number)):
            let signed = Int64(bitPattern: number)
            return signed == 0 && !field.keepsZero ? nil : .int(signed)
        case (.bool, .varint(let number)):
            return number == 0 ? nil : .bool(true)
        case (.message(let name), .bytes(let payload)):
            return try message(payload, name)
        case (.stringMap, .bytes(let payload)), (.bytesMap, .bytes(let payload)), (.messageMap, .bytes(let payload)):
            var entry = ProtobufWire(payload)
            var key = ""
            var item: JSONValue = .string("")
            while !entry.atEnd {
                let (number, part) = try entry.next()
                guard case .bytes(let content) = part else { continue }
                if number == 1 { key = String(decoding: content, as: UTF8.self) }
                if number == 2 {
                    switch field.type {
                    case .bytesMap: item = .string(Data(content).base64EncodedString())
                    case .messageMap(let name): item = try message(content, name)["string"] ?? .string("")
                    default: item = .string(String(decoding: content, as: UTF8.self))
                    }
                }
            }
            return .object([key: item])
        case (.intOrString, .bytes(let payload)):
            var wire = ProtobufWire(payload)
            var isString = false
            var number: Int64 = 0
            var text = ""
            while !wire.atEnd {
                switch try wire.next() {
                case (1, .varint(let type)): isString = type == 1
                case (2, .varint(let value)): number = Int64(Int32(truncatingIfNeeded: value))
                case (3, .bytes(let value)): text = String(decoding: value, as: UTF8.self)
                default: break
                }
            }
            return isString ? .string(text) : .int(number)
        case (.time, .bytes(let payload)):
            var wire = ProtobufWire(payload)
            var seconds: Int64 = 0
            while !wire.atEnd {
                if case (1, .varint(let value)) = try wire.next() { seconds = Int64(bitPattern: value) }
            }
            guard seconds != 0 else { return nil }
            return .string(ObjectAdmission.timestamp(Date(timeIntervalSince1970: TimeInterval(seconds))))
        case (.quantity, .bytes(let payload)):
            return try message(payload, "Quantity")["string"]
        default:
            throw Unsupported(description: "protobuf field \(field.name) has an unexpected wire type")
        }
    }
}
