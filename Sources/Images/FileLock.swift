#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An flock(2) on a file: excludes other processes and, since each lock opens its own file
/// description, other threads of this process too.
struct FileLock {
    enum Mode { case shared, exclusive }

    /// Runs `body` holding the lock on `path` (created if missing).
    static func with<T>(_ path: String, _ mode: Mode, _ body: () throws -> T) throws -> T {
        let fd = try ImageError.check("open", path) { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        defer { close(fd) }
        try ImageError.check("flock", path) { flock(fd, mode == .shared ? LOCK_SH : LOCK_EX) }
        return try body()
    }
}
