import Foundation
import NodeSupport

/// Wakes the sync loop when files of a directory change (inotify), or when the re-list
/// period passes, whichever comes first.
public final class DirectoryWatcher: @unchecked Sendable {
    private let fd: Int32
    public let path: String

    public init(path: String) throws {
        self.path = path
        fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        if fd < 0 {
            throw SystemError(errno: errno, operation: "inotify_init1", detail: path, style: .libc)
        }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_MODIFY | IN_ATTRIB)
        if inotify_add_watch(fd, path, mask) < 0 {
            let code = errno
            close(fd)
            throw SystemError(errno: code, operation: "inotify_add_watch", detail: path, style: .libc)
        }
    }

    deinit {
        close(fd)
    }

    /// Blocks until a change is seen or `timeout` seconds pass; returns true on a change.
    /// Events are drained until the directory has been quiet for `settle` seconds, so a
    /// burst of writes (an editor's save, an atomic rename) wakes the loop once.
    @discardableResult
    public func wait(timeout: TimeInterval, settle: TimeInterval = 0.02) -> Bool {
        guard pollInput(timeout: timeout) else { return false }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        repeat {
            while read(fd, &buffer, buffer.count) > 0 {}
        } while pollInput(timeout: settle)
        return true
    }

    private func pollInput(timeout: TimeInterval) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&pfd, 1, Int32(timeout * 1000)) > 0
    }
}
