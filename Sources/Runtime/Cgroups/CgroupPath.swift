/// A validated absolute cgroup path, e.g. "/swiftlet/pod1/ctr1", the same in every hierarchy.
public struct CgroupPath: Sendable, Equatable, CustomStringConvertible {
    /// The non-empty components, root first.
    public let components: [String]

    /// Refuses relative paths, `.` and `..`, the root itself, and any component named
    /// `process_api` (the host's own cgroup, which Swiftlet must never touch).
    public init(_ path: String) throws {
        guard path.hasPrefix("/") else {
            throw CgroupError.invalidPath(path: path, reason: "must be absolute")
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if parts.isEmpty {
            throw CgroupError.invalidPath(path: path, reason: "must name a cgroup below the root")
        }
        for part in parts {
            if part == ".." || part == "." {
                throw CgroupError.invalidPath(path: path, reason: "must not contain \"\(part)\"")
            }
            if part == "process_api" {
                throw CgroupError.invalidPath(
                    path: path, reason: "must not contain \"process_api\" (the host's own cgroup)")
            }
            if part.contains("\0") {
                throw CgroupError.invalidPath(path: path, reason: "must not contain NUL")
            }
        }
        components = parts
    }

    /// "/a/b/c".
    public var description: String { "/" + components.joined(separator: "/") }

    /// Every prefix path from the first level down to this one: "/a", "/a/b", "/a/b/c".
    var levels: [String] {
        (1...components.count).map { "/" + components.prefix($0).joined(separator: "/") }
    }
}
