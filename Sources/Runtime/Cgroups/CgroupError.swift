import NodeSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why a cgroup operation failed: bad input, an unusable mount, or a syscall error that
/// names the operation and the path (`write /sys/fs/cgroup/memory/x/memory.limit_in_bytes: invalid argument`).
public enum CgroupError: Error, Equatable, CustomStringConvertible {
    /// The cgroup path was refused before touching the host.
    case invalidPath(path: String, reason: String)
    /// No cgroup hierarchy was found under the root.
    case noHierarchy(root: String)
    /// A resource value cannot be expressed (e.g. a swap limit without a memory limit).
    case invalidResource(field: String, reason: String)
    /// A syscall failed.
    case system(operation: String, path: String, errno: Int32)

    public var description: String {
        switch self {
        case .invalidPath(let path, let reason):
            return "cgroup path \"\(path)\": \(reason)"
        case .noHierarchy(let root):
            return "\(root): no cgroup v1 or v2 hierarchy mounted there"
        case .invalidResource(let field, let reason):
            return "cgroup resources \(field): \(reason)"
        case .system(let operation, let path, let errno):
            return SystemError(errno: errno, operation: operation, detail: path).description
        }
    }
}
