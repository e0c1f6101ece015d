import Foundation

/// A docker config.json read again whenever it changes (its inode, size or modification time),
/// so a `docker login` made while the agent runs is used at the next pull without a restart.
/// A file that became unreadable or malformed keeps the last logins it gave.
public final class RegistryCredentialsFile: @unchecked Sendable {
    public let path: String
    private let lock = NSLock()
    private var stamp: Stamp?
    private var cached: RegistryCredentials

    private struct Stamp: Equatable {
        var inode: UInt64, size: Int64, seconds: Int, nanoseconds: Int
    }

    /// Reads the file now; a missing file gives no logins unless `required`.
    public init(path: String, required: Bool) throws {
        self.path = path
        self.stamp = Self.stamp(path)
        self.cached = try RegistryCredentials.load(path: path, required: required)
    }

    /// The logins as the file holds them now.
    public var current: RegistryCredentials {
        lock.lock()
        defer { lock.unlock() }
        let now = Self.stamp(path)
        guard now != stamp else { return cached }
        stamp = now
        if now == nil {
            cached = RegistryCredentials(source: path)
        } else if let reloaded = try? RegistryCredentials.load(path: path, required: true) {
            cached = reloaded
        }
        return cached
    }

    private static func stamp(_ path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Stamp(inode: UInt64(info.st_ino), size: Int64(info.st_size), seconds: info.st_mtim.tv_sec, nanoseconds: info.st_mtim.tv_nsec)
    }
}
