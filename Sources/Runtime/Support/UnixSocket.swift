import NodeSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A CLOEXEC stream socket at a filesystem path, the transport of runc's console-socket
/// protocol: `ConsoleListener` binds one, `ConsoleSocket` connects one.
enum UnixSocket {
    /// Opens a socket and hands it, with `path` as its address, to `attach` (bind, connect).
    /// A path too long for `sun_path` throws ENAMETOOLONG naming `operation`; the socket is
    /// closed again when anything throws. `label` names the socket in a failed `socket` call.
    static func open(
        _ path: String, label: String, operation: String,
        attach: (_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) throws -> Void
    ) throws -> Int32 {
        let fd = try sys("socket", label) { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        do {
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
                throw SystemError(errno: ENAMETOOLONG, operation: operation, detail: path)
            }
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (i, b) in bytes.enumerated() { buffer[i] = b }
            }
            try withUnsafePointer(to: &address) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    try attach(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }
}
