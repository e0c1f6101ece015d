import NodeSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The client end of runc's console-socket protocol: the caller listens on a unix socket;
/// the container child sends it the pty master with SCM_RIGHTS.
enum ConsoleSocket {
    static func connect(_ path: String) throws -> Int32 {
        try UnixSocket.open(path, label: "console socket", operation: "connect") { fd, address, length in
            if Glibc.connect(fd, address, length) != 0 {
                throw SystemError(errno: errno, operation: "connect", detail: path)
            }
        }
    }
}
