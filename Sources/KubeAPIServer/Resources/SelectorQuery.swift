import APIStore

/// A `labelSelector` or `fieldSelector` query parameter, parsed: requirements joined by
/// commas, each `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k` or `!k` (labels),
/// as `k8s.io/apimachinery/pkg/labels` and `fields` read them.
struct SelectorQuery: Equatable {
    enum Requirement: Equatable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, [String])
        case notIn(String, [String])
        case exists(String)
        case doesNotExist(String)
    }

    var requirements: [Requirement]

    struct ParseError: Error { var message: String }

    static func parse(_ text: String?) throws -> SelectorQuery {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return SelectorQuery(requirements: []) }
        var parts: [String] = []
        var current = ""
        var depth = 0
        for ch in text {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if ch == ",", depth == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        parts.append(current)
        return SelectorQuery(requirements: try parts.map { try requirement(String($0).trimmingCharacters(in: .whitespaces)) })
    }

    private static func requirement(_ part: String) throws -> Requirement {
        func list(_ text: Substring) throws -> [String] {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("("), trimmed.hasSuffix(")") else { throw ParseError(message: "unable to parse requirement: \(part)") }
            return trimmed.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        if let range = part.range(of: " notin ") {
            return .notIn(part[..<range.lowerBound].trimmingCharacters(in: .whitespaces), try list(part[range.upperBound...]))
        }
        if let range = part.range(of: " in ") {
            return .isIn(part[..<range.lowerBound].trimmingCharacters(in: .whitespaces), try list(part[range.upperBound...]))
        }
        for (op, make) in [("!=", Requirement.notEquals), ("==", Requirement.equals), ("=", Requirement.equals)] {
            if let range = part.range(of: op) {
                let key = part[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                guard !key.isEmpty else { throw ParseError(message: "unable to parse requirement: \(part)") }
                return make(key, part[range.upperBound...].trimmingCharacters(in: .whitespaces))
            }
        }
        if part.hasPrefix("!") { return .doesNotExist(String(part.dropFirst()).trimmingCharacters(in: .whitespaces)) }
        guard !part.isEmpty, !part.contains(" ") else { throw ParseError(message: "unable to parse requirement: \(part)") }
        return .exists(part)
    }

    /// Whether `lookup` (a label, or a field by its dotted path) satisfies every requirement.
    func matches(_ lookup: (String) -> String?) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): return (lookup(key) ?? "") == value
            case .notEquals(let key, let value): return (lookup(key) ?? "") != value
            case .isIn(let key, let values): return lookup(key).map(values.contains) ?? false
            case .notIn(let key, let values): return !(lookup(key).map(values.contains) ?? false)
            case .exists(let key): return lookup(key) != nil
            case .doesNotExist(let key): return lookup(key) == nil
            }
        }
    }

    func matchesLabels(of object: JSONValue) -> Bool {
        let labels = object[path: ["metadata", "labels"]]?.objectValue ?? [:]
        return matches { labels[$0]?.string }
    }

    /// Field selectors name fields by dotted path (`spec.nodeName`, `involvedObject.uid`);
    /// a field that is absent reads as "".
    func matchesFields(of object: JSONValue) -> Bool {
        matches { path in
            switch object[path: path.split(separator: ".").map(String.init)] {
            case .string(let text)?: return text
            case .int(let number)?: return String(number)
            case .bool(let flag)?: return String(flag)
            default: return ""
            }
        }
    }
}
