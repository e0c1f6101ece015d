import CArchive
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An open directory that paths are resolved beneath, never outside: every lookup goes
/// through openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), so `..`, absolute symlinks
/// and magic links that would leave it fail with EXDEV instead of being followed.
final class BeneathDirectory {
    let fd: Int32
    let path: String
    let resolve: UInt64

    /// `inRoot` resolves absolute symlinks as if the directory were `/` (reading a rootfs's
    /// /etc/passwd) instead of refusing them (writing a layer).
    init(path: String, inRoot: Bool = false) throws {
        self.path = path
        resolve = (inRoot ? CAR_RESOLVE_IN_ROOT : CAR_RESOLVE_BENEATH) | CAR_RESOLVE_NO_MAGICLINKS
        fd = try ImageError.check("open", path) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
    }

    deinit { close(fd) }

    /// Opens `relative` (already cleaned) beneath the directory; `.` is the directory itself.
    /// Returns -1 with errno set on failure, for callers that handle ENOENT.
    func openRaw(_ relative: String, flags: Int32, mode: UInt32 = 0) -> Int32 {
        relative.withCString { car_openat2(fd, $0, flags | O_CLOEXEC, mode, resolve) }
    }

    /// Opens `relative`, or throws naming the path (EXDEV reads "resolves outside").
    func openBeneath(_ relative: String, flags: Int32, mode: UInt32 = 0) throws -> Int32 {
        let result = openRaw(relative, flags: flags, mode: mode)
        if result < 0 {
            throw ImageError.system(operation: "open", path: "\(path)/\(relative)", errno: errno)
        }
        return result
    }

    /// Reads a whole regular file beneath the directory (at most `limit` bytes).
    func readFile(_ relative: String, limit: Int = 64 << 20) throws -> [UInt8] {
        let fd = try openBeneath(relative, flags: O_RDONLY)
        defer { close(fd) }
        var st = stat()
        try ImageError.check("stat", "\(path)/\(relative)") { fstat(fd, &st) }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw ImageError.invalidContent(file: "\(path)/\(relative)", reason: "not a regular file")
        }
        guard Int(st.st_size) <= limit else {
            throw ImageError.invalidContent(file: "\(path)/\(relative)", reason: "larger than \(limit) bytes")
        }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var done = 0
        while done < bytes.count {
            let n = try bytes.withUnsafeMutableBytes { buffer in
                try ImageError.check("read", "\(path)/\(relative)") {
                    read(fd, buffer.baseAddress! + done, buffer.count - done)
                }
            }
            if n == 0 { break }
            done += n
        }
        return Array(bytes[0..<done])
    }
}
