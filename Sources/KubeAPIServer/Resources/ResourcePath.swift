import APIStore

/// A request path resolved against the served resources:
/// `/api/v1/namespaces/default/pods/web/log` → pods, `default`, `web`, `log`.
struct ResourcePath: Equatable {
    var type: ResourceType
    /// nil: all namespaces (a list), or a cluster-scoped resource.
    var namespace: String?
    var name: String?
    var subresource: String?

    var key: StoreKey? {
        name.map { StoreKey(type, namespace: namespace, name: $0) }
    }

    enum Parsed: Equatable {
        case resource(ResourcePath)
        /// `/api/v1` or `/apis/<g>/<v>`: the group-version's resource list.
        case groupVersion(group: String, version: String)
        case notFound
    }

    /// Parses the segments of `/api/...` or `/apis/...`.
    static func parse(_ segments: [String]) -> Parsed {
        var rest: ArraySlice<String>
        let group: String
        let version: String
        if segments.first == "api", segments.count >= 2 {
            group = ""
            version = segments[1]
            rest = segments.dropFirst(2)
        } else if segments.first == "apis", segments.count >= 3 {
            group = segments[1]
            version = segments[2]
            rest = segments.dropFirst(3)
        } else {
            return .notFound
        }
        // The legacy `/watch/` prefix: the same resource, watched.
        if rest.first == "watch" { rest = rest.dropFirst() }
        guard let first = rest.first else { return .groupVersion(group: group, version: version) }
        var namespace: String?
        if first == "namespaces", rest.count >= 3, let type = ResourceTypes.find(group: group, version: version, plural: rest[rest.startIndex + 2]),
           type.namespaced {
            namespace = rest[rest.startIndex + 1]
            rest = rest.dropFirst(3)
            return .resource(ResourcePath(type: type, namespace: namespace, name: rest.first, subresource: rest.dropFirst().first))
        }
        guard let type = ResourceTypes.find(group: group, version: version, plural: first) else { return .notFound }
        rest = rest.dropFirst()
        if rest.count > 2 { return .notFound }
        return .resource(ResourcePath(type: type, namespace: nil, name: rest.first, subresource: rest.dropFirst().first))
    }
}
