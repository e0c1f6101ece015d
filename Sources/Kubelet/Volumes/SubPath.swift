import Foundation
import NodeSupport

/// A volumeMount's subPath, resolved inside its volume. As the kubelet does, a subPath is
/// refused when it is absolute, has `..`, or reaches outside the volume through a symlink;
/// a missing subPath is created as a directory.
public enum SubPath {
    /// Returns the host path of `subPath` inside `volume`, creating missing directories.
    public static func resolve(volume: String, subPath: String, create: Bool = true) throws -> String {
        guard !subPath.hasPrefix("/") else {
            throw KubeletError("subPath \(subPath): must be a relative path")
        }
        let parts = subPath.split(separator: "/", omittingEmptySubsequences: true)
        guard !parts.contains("..") else {
            throw KubeletError("subPath \(subPath): must not contain '..'")
        }
        guard let base = realPath(volume) else {
            throw SystemError(errno: errno, operation: "volume path", detail: volume, style: .libc)
        }
        var current = base
        for part in parts where part != "." {
            let next = current + "/" + part
            var info = stat()
            if lstat(next, &info) != 0 {
                guard errno == ENOENT, create else {
                    throw SystemError(errno: errno, operation: "subPath \(subPath):", detail: next, style: .libc)
                }
                guard mkdir(next, 0o755) == 0 || errno == EEXIST else {
                    throw SystemError(errno: errno, operation: "subPath \(subPath): mkdir", detail: next, style: .libc)
                }
            }
            // Follow symlinks, then insist the result is still inside the volume.
            guard let resolved = realPath(next), isWithin(resolved, base) else {
                throw KubeletError("subPath \(subPath): \(next) is outside the volume \(volume)")
            }
            current = resolved
        }
        return current
    }

    static func isWithin(_ path: String, _ base: String) -> Bool {
        path == base || path.hasPrefix(base.hasSuffix("/") ? base : base + "/")
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
