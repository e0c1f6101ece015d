#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Fds opened for one spawn, closed together.
struct FDSet {
    private(set) var fds: [Int32] = []

    mutating func open(_ path: String, _ flags: Int32) throws -> Int32 {
        let fd = try sys("open", path) { Glibc.open(path, flags) }
        fds.append(fd)
        return fd
    }

    mutating func adopt(_ fd: Int32) -> Int32 {
        fds.append(fd)
        return fd
    }

    mutating func closeAll() {
        for fd in fds { close(fd) }
        fds.removeAll()
    }
}
