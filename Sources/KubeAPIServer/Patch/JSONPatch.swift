import APIStore

/// JSON patch (RFC 6902, `application/json-patch+json`): add, remove, replace, move, copy
/// and test, at JSON pointers (RFC 6901). `kubectl rollout undo` sends one.
enum JSONPatch {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func apply(_ patch: JSONValue, to target: JSONValue) throws -> JSONValue {
        guard case .array(let operations) = patch else { throw Failure(description: "a JSON patch must be a list of operations") }
        var document = target
        for operation in operations {
            guard let op = operation["op"]?.string, let path = operation["path"]?.string else {
                throw Failure(description: "an operation needs \"op\" and \"path\"")
            }
            let pointer = try parse(path)
            switch op {
            case "add":
                document = try insert(operation["value"] ?? .null, at: pointer, in: document, replacing: false)
            case "replace":
                _ = try value(at: pointer, in: document)
                document = try insert(operation["value"] ?? .null, at: pointer, in: document, replacing: true)
            case "remove":
                document = try remove(at: pointer, in: document)
            case "move", "copy":
                guard let from = operation["from"]?.string else { throw Failure(description: "\(op) needs \"from\"") }
                let source = try parse(from)
                let moved = try value(at: source, in: document)
                if op == "move" { document = try remove(at: source, in: document) }
                document = try insert(moved, at: pointer, in: document, replacing: false)
            case "test":
                guard try value(at: pointer, in: document) == (operation["value"] ?? .null) else {
                    throw Failure(description: "test failed at \(path)")
                }
            default:
                throw Failure(description: "unknown operation \"\(op)\"")
            }
        }
        return document
    }

    static func parse(_ pointer: String) throws -> [String] {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { throw Failure(description: "invalid JSON pointer \"\(pointer)\"") }
        return pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static func value(at pointer: [String], in document: JSONValue) throws -> JSONValue {
        var current = document
        for token in pointer {
            switch current {
            case .object(let fields):
                guard let next = fields[token] else { throw Failure(description: "path not found: /\(pointer.joined(separator: "/"))") }
                current = next
            case .array(let items):
                guard let index = Int(token), items.indices.contains(index) else {
                    throw Failure(description: "index out of range: /\(pointer.joined(separator: "/"))")
                }
                current = items[index]
            default:
                throw Failure(description: "path not found: /\(pointer.joined(separator: "/"))")
            }
        }
        return current
    }

    private static func insert(_ value: JSONValue, at pointer: [String], in document: JSONValue, replacing: Bool) throws -> JSONValue {
        guard let token = pointer.first else { return value }
        let rest = Array(pointer.dropFirst())
        switch document {
        case .object(var fields):
            if rest.isEmpty {
                fields[token] = value
            } else {
                guard let child = fields[token] else { throw Failure(description: "path not found: \(token)") }
                fields[token] = try insert(value, at: rest, in: child, replacing: replacing)
            }
            return .object(fields)
        case .array(var items):
            if rest.isEmpty {
                if token == "-" { items.append(value); return .array(items) }
                guard let index = Int(token), index >= 0, index <= items.count else { throw Failure(description: "index out of range: \(token)") }
                if replacing {
                    guard index < items.count else { throw Failure(description: "index out of range: \(token)") }
                    items[index] = value
                } else {
                    items.insert(value, at: index)
                }
            } else {
                guard let index = Int(token), items.indices.contains(index) else { throw Failure(description: "index out of range: \(token)") }
                items[index] = try insert(value, at: rest, in: items[index], replacing: replacing)
            }
            return .array(items)
        default:
            throw Failure(description: "cannot add at \(token): parent is not a container")
        }
    }

    private static func remove(at pointer: [String], in document: JSONValue) throws -> JSONValue {
        guard let token = pointer.first else { throw Failure(description: "cannot remove the whole document") }
        let rest = Array(pointer.dropFirst())
        switch document {
        case .object(var fields):
            guard let child = fields[token] else { throw Failure(description: "path not found: \(token)") }
            fields[token] = rest.isEmpty ? nil : try remove(at: rest, in: child)
            return .object(fields)
        case .array(var items):
            guard let index = Int(token), items.indices.contains(index) else { throw Failure(description: "index out of range: \(token)") }
            if rest.isEmpty { items.remove(at: index) } else { items[index] = try remove(at: rest, in: items[index]) }
            return .array(items)
        default:
            throw Failure(description: "path not found: \(token)")
        }
    }
}
