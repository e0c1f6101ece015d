#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How a process ended: an exit code, or the signal that killed it. `code` is what a
/// shell shows: the exit code, or 128 + the signal number.
public struct ExitStatus: Codable, Sendable, Equatable {
    public var exitCode: Int32?
    public var signal: Int32?

    public init(exitCode: Int32? = nil, signal: Int32? = nil) {
        self.exitCode = exitCode
        self.signal = signal
    }

    /// From a waitpid status word.
    public init(waitStatus status: Int32) {
        let signal = status & 0x7f
        if signal == 0 {
            self.init(exitCode: (status >> 8) & 0xff)
        } else {
            self.init(signal: signal)
        }
    }

    public var code: Int32 { exitCode ?? (128 + (signal ?? 0)) }
}

/// Waits for a child of the calling process (retrying on EINTR).
public func wait(pid: Int32) throws -> ExitStatus {
    var status: Int32 = 0
    try sys("waitpid", String(pid)) { waitpid(pid, &status, 0) }
    return ExitStatus(waitStatus: status)
}
