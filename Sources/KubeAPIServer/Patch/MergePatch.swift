import APIStore

/// JSON merge patch (RFC 7386, `application/merge-patch+json`): objects merge key by key,
/// `null` removes a key, anything else replaces.
enum MergePatch {
    static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let changes) = patch else { return patch }
        var fields = target.objectValue ?? [:]
        for (key, value) in changes {
            if value.isNull {
                fields[key] = nil
            } else {
                fields[key] = apply(value, to: fields[key] ?? .null)
            }
        }
        return .object(fields)
    }
}
