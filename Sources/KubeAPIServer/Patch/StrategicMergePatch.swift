import APIStore

/// Strategic merge patch (`application/strategic-merge-patch+json`) with upstream's patch
/// strategies for the built-in types: lists of containers, volumes, env, ports… merge by
/// their key (`patchMergeKey`) instead of being replaced; the directives `$patch`
/// (replace/delete/merge), `$setElementOrder/<list>`, `$retainKeys` and
/// `$deleteFromPrimitiveList/<list>` do what kubectl's three-way patches ask.
enum StrategicMergePatch {
    /// The merge key of a list field, by field name (as the built-in types' tags give it).
    static func mergeKey(field: String, items: [JSONValue]) -> String? {
        switch field {
        case "containers", "initContainers", "ephemeralContainers", "volumes", "env", "imagePullSecrets":
            return "name"
        case "volumeMounts": return "mountPath"
        case "volumeDevices": return "devicePath"
        case "hostAliases": return "ip"
        case "ownerReferences": return "uid"
        case "conditions": return "type"
        case "topologySpreadConstraints": return "topologyKey"
        case "ports":
            // Container ports merge by containerPort, Service ports by port.
            return items.contains { $0["containerPort"] != nil } ? "containerPort" : "port"
        default: return nil
        }
    }

    /// Primitive lists that merge as sets.
    static let mergedPrimitiveLists: Set<String> = ["finalizers"]

    static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        merge(patch, into: target) ?? .object([:])
    }

    /// nil when the patch deletes the map.
    private static func merge(_ patch: JSONValue, into target: JSONValue) -> JSONValue? {
        guard case .object(var changes) = patch else { return patch }
        if let directive = changes["$patch"]?.string {
            changes["$patch"] = nil
            if directive == "delete" { return nil }
            if directive == "replace" { return .object(changes) }
        }
        var fields = target.objectValue ?? [:]
        let retain = changes["$retainKeys"]?.arrayValue?.compactMap(\.string)
        changes["$retainKeys"] = nil
        var orders: [String: [JSONValue]] = [:]
        for (key, value) in changes where key.hasPrefix("$setElementOrder/") {
            orders[String(key.dropFirst("$setElementOrder/".count))] = value.arrayValue ?? []
            changes[key] = nil
        }
        for (key, value) in changes where key.hasPrefix("$deleteFromPrimitiveList/") {
            let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
            let remove = value.arrayValue ?? []
            if let items = fields[field]?.arrayValue { fields[field] = .array(items.filter { !remove.contains($0) }) }
            changes[key] = nil
        }
        for (key, value) in changes {
            if value.isNull {
                fields[key] = nil
                continue
            }
            switch value {
            case .object:
                fields[key] = merge(value, into: fields[key] ?? .object([:]))
            case .array(let items):
                fields[key] = mergeList(field: key, patch: items, target: fields[key]?.arrayValue ?? [])
            default:
                fields[key] = value
            }
        }
        for (field, order) in orders {
            guard let items = fields[field]?.arrayValue else { continue }
            fields[field] = .array(reorder(items, by: order, field: field))
        }
        if let retain {
            fields = fields.filter { retain.contains($0.key) }
        }
        return .object(fields)
    }

    private static func mergeList(field: String, patch: [JSONValue], target: [JSONValue]) -> JSONValue {
        if mergedPrimitiveLists.contains(field) {
            var result = target
            for item in patch where !result.contains(item) { result.append(item) }
            return .array(result)
        }
        // A list of maps with `$patch: replace` as an element replaces the whole list.
        if patch.contains(where: { $0["$patch"]?.string == "replace" }) {
            return .array(patch.filter { $0["$patch"]?.string != "replace" })
        }
        guard let key = mergeKey(field: field, items: patch + target) else { return .array(patch) }
        var result = target
        for item in patch {
            guard case .object = item, let id = item[key] else {
                result.append(item)
                continue
            }
            let index = result.firstIndex { $0[key] == id }
            if item["$patch"]?.string == "delete" {
                if let index { result.remove(at: index) }
                continue
            }
            if let index {
                result[index] = merge(item, into: result[index]) ?? result[index]
            } else {
                result.append(merge(item, into: .object([:])) ?? item)
            }
        }
        return .array(result)
    }

    /// Items in the order `$setElementOrder` gives (by merge key, or by value for
    /// primitives); items it does not name keep their place after the named ones.
    private static func reorder(_ items: [JSONValue], by order: [JSONValue], field: String) -> [JSONValue] {
        let key = mergeKey(field: field, items: items)
        func identity(_ item: JSONValue) -> JSONValue? { key.map { item[$0] } ?? item }
        var remaining = items
        var result: [JSONValue] = []
        for wanted in order {
            let id = key.map { wanted[$0] } ?? wanted
            if let index = remaining.firstIndex(where: { identity($0) == id }) {
                result.append(remaining.remove(at: index))
            }
        }
        return result + remaining
    }
}
