import CRuntimeShim
import Foundation
import NodeSupport

/// Wakes the sync loop when files of a directory change (inotify), when `wake()` is called
/// (an API write), or when the re-list period passes, whichever comes first.
public final class DirectoryWatcher: @unchecked Sendable {
    private let fd: Int32
    /// A non-blocking pipe `wake()` writes to.
    private let wakeFD: Int32
    private let wakeWriteFD: Int32
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
        var pair: [Int32] = [-1, -1]
        if crs_pipe_cloexec(&pair) != 0 {
            let code = errno
            close(fd)
            throw SystemError(errno: code, operation: "pipe", detail: path, style: .libc)
        }
        for end in pair { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
        wakeFD = pair[0]
        wakeWriteFD = pair[1]
    }

    deinit {
        close(fd)
        close(wakeFD)
        close(wakeWriteFD)
    }

    /// Ends the current (or next) `wait` early; safe from any thread.
    public func wake() {
        var one: UInt8 = 1
        _ = write(wakeWriteFD, &one, 1)
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
            while read(wakeFD, &buffer, buffer.count) > 0 {}
        } while pollInput(timeout: settle)
        return true
    }

    private func pollInput(timeout: TimeInterval) -> Bool {
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
        return poll(&fds, 2, Int32(timeout * 1000)) > 0
    }
}
