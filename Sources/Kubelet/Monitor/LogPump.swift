import Foundation
import NodeSupport

/// Copies a container's stdout and stderr pipes into its CRI log file until both close.
/// Runs in the container's monitor process, so the log outlives the agent.
public struct LogPump {
    private let stdoutFD: Int32
    private let stderrFD: Int32
    private let logFD: Int32

    /// Takes ownership of the two read ends; the log file is opened for appending.
    public init(stdout: Int32, stderr: Int32, logPath: String) throws {
        let fd = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw SystemError(errno: errno, operation: "open", detail: logPath, style: .libc) }
        stdoutFD = stdout
        stderrFD = stderr
        logFD = fd
    }

    /// Pumps until both streams reach end of file, then closes every fd.
    public func run() {
        var splitters = [CRILineSplitter(stream: .stdout), CRILineSplitter(stream: .stderr)]
        var fds = [pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 32 * 1024)
        while fds.contains(where: { $0.fd >= 0 }) {
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for i in fds.indices where fds[i].fd >= 0 && fds[i].revents != 0 {
                let n = read(fds[i].fd, &buffer, buffer.count)
                if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                let time = CRILog.timestamp(Self.now())
                if n <= 0 {
                    write(splitters[i].finish(time: time))
                    close(fds[i].fd)
                    fds[i].fd = -1
                } else {
                    write(splitters[i].feed(buffer[0..<n], time: time))
                }
            }
        }
        close(logFD)
    }

    private func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(logFD, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }

    static func now() -> timespec {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return time
    }
}
