#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntimeShim
import NodeSupport

/// The server end of the console-socket protocol, for a foreground `run`/`exec` with a
/// terminal and no --console-socket: listens on a temp unix socket, receives the pty
/// master, then relays it to the caller's stdio.
public final class ConsoleListener {
    public let path: String
    private let fd: Int32

    public init(directory: String) throws {
        let path = directory + "/console-\(getpid()).sock"
        self.path = path
        unlink(path)
        fd = try UnixSocket.open(path, label: "console", operation: "bind") { fd, address, length in
            if bind(fd, address, length) != 0 || listen(fd, 1) != 0 {
                throw SystemError(errno: errno, operation: "listen", detail: path)
            }
        }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// Accepts the runtime's connection and returns the pty master it carries.
    public func receiveMaster() throws -> Int32 {
        let connection = try sys("accept", path) { accept(fd, nil, nil) }
        defer { close(connection) }
        return try sys("receive pty master", path) { crs_recv_fd(connection) }
    }

    /// Copies input -> master and master -> output until the pty closes (every process
    /// holding the terminal has exited).
    public static func relay(master: Int32, input: Int32, output: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16384)
        var inputOpen = true
        while true {
            var fds = [pollfd(fd: master, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: inputOpen ? input : -1, events: Int16(POLLIN), revents: 0)]
            let n = poll(&fds, 2, -1)
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[0].revents != 0 {
                let count = read(master, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return }  // EIO: the slave side is gone
                var offset = 0
                while offset < count {
                    let w = buffer.withUnsafeBytes { write(output, $0.baseAddress! + offset, count - offset) }
                    if w < 0 && errno == EINTR { continue }
                    if w <= 0 { break }
                    offset += w
                }
            }
            if fds[1].revents != 0 {
                let count = read(input, &buffer, buffer.count)
                if count <= 0 {
                    inputOpen = false
                } else {
                    _ = buffer.withUnsafeBytes { write(master, $0.baseAddress!, count) }
                }
            }
        }
    }
}
