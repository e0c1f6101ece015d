/// The /proc/PID/uid_map and gid_map texts of a new user namespace ("inside outside count"
/// lines), written by the runtime before the container goes on.
public struct UserNamespaceMaps: Equatable, Sendable {
    public var uidMap: String
    public var gidMap: String
}

/// `linux.uidMappings` / `gidMappings` with a `user` namespace, under runc's rules: a new
/// user namespace needs both maps, maps need a user namespace. Pure.
enum UserNamespacePlan {
    static func plan(
        _ linux: Linux, newNamespaces: Set<NamespaceKind>, joinNamespaces: [NamespaceKind: String]
    ) throws -> UserNamespaceMaps? {
        let uids = linux.uidMappings ?? []
        let gids = linux.gidMappings ?? []
        if joinNamespaces[.user] != nil {
            // Joining one would leave the namespaces cloned beside it owned by the host's.
            throw invalid("linux.namespaces", "joining a user namespace by path is not supported")
        }
        guard newNamespaces.contains(.user) else {
            if !uids.isEmpty || !gids.isEmpty {
                throw invalid("linux.uidMappings", "user namespace mappings are given, but linux.namespaces has no user namespace")
            }
            return nil
        }
        guard !uids.isEmpty else { throw invalid("linux.uidMappings", "a user namespace needs uid mappings") }
        guard !gids.isEmpty else { throw invalid("linux.gidMappings", "a user namespace needs gid mappings") }
        if let (kind, _) = joinNamespaces.first {
            throw invalid("linux.namespaces", "a new user namespace cannot be combined with joining the \(kind.rawValue) namespace by path")
        }
        return UserNamespaceMaps(
            uidMap: try text(uids, field: "linux.uidMappings"), gidMap: try text(gids, field: "linux.gidMappings"))
    }

    /// The kernel takes up to 340 lines, each a non-empty range that does not wrap.
    static func text(_ mappings: [LinuxIDMapping], field: String) throws -> String {
        guard mappings.count <= 340 else { throw invalid(field, "more than 340 mappings") }
        var text = ""
        for (i, m) in mappings.enumerated() {
            guard m.size > 0 else { throw invalid("\(field)[\(i)].size", "must be above 0") }
            guard UInt64(m.containerID) + UInt64(m.size) <= UInt64(UInt32.max),
                  UInt64(m.hostID) + UInt64(m.size) <= UInt64(UInt32.max)
            else { throw invalid("\(field)[\(i)]", "the range wraps past 4294967295") }
            text += "\(m.containerID) \(m.hostID) \(m.size)\n"
        }
        return text
    }

    private static func invalid(_ field: String, _ reason: String) -> RuntimeError {
        .invalidConfig(field: field, reason: reason)
    }
}
