import NodeSupport
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The host helpers throw the failed call as a `SystemError` naming the operation and the
/// file or object it was for, with strerror as libc gives it (CNI plugins' errors read so);
/// the plugin and the library turn it into a CNIError.
extension SystemError {
    init(_ operation: String, _ detail: String, errno: Int32 = Glibc.errno) {
        self.init(errno: errno, operation: operation, detail: detail, style: .libc)
    }

    var cniError: CNIError { CNIError(.ioFailure, description) }
}

/// Small POSIX file helpers (Foundation stays out of the plugin binary).
enum Posix {
    /// Reads a whole file; nil when it does not exist.
    static func readFile(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw SystemError("open", path)
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("read", path)
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("write", path)
            }
            done += n
        }
    }

    /// Creates `path` holding `bytes`. With `exclusive`, returns false when it exists.
    @discardableResult
    static func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644, exclusive: Bool = false) throws
        -> Bool
    {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC)
        let fd = open(path, flags, mode)
        if fd < 0 {
            if exclusive && errno == EEXIST { return false }
            throw SystemError("create", path)
        }
        defer { close(fd) }
        try writeAll(fd, bytes, path: path)
        return true
    }

    /// What `writeFileAtomically` puts between the path and its pid to name its temp file.
    static let temporaryMarker = ".tmp."

    /// Replaces `path` by writing a temp file beside it and renaming it over.
    static func writeFileAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o600) throws {
        let tmp = "\(path)\(temporaryMarker)\(getpid())"
        try writeFile(tmp, bytes, mode: mode)
        if rename(tmp, path) < 0 {
            let e = errno
            unlink(tmp)
            throw SystemError("rename", "\(tmp) to \(path)", errno: e)
        }
    }

    /// Removes a file; a missing file is fine.
    static func removeFile(_ path: String) throws {
        if unlink(path) < 0 && errno != ENOENT { throw SystemError("remove", path) }
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Creates a directory and its parents.
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
        if mkdir(path, mode) == 0 || errno == EEXIST { return }
        guard errno == ENOENT else { throw SystemError("mkdir", path) }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectories(String(path[..<slash]), mode: mode)
        }
        if mkdir(path, mode) < 0 && errno != EEXIST { throw SystemError("mkdir", path) }
    }

    /// The names in a directory (no "." or ".."); empty when it does not exist.
    static func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            if errno == ENOENT { return [] }
            throw SystemError("opendir", path)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}

/// An exclusive flock on a file, held until `unlock` (or process exit).
struct FileLock {
    let fd: Int32

    /// Opens (creating) `path` and blocks until the exclusive lock is held.
    init(path: String, mode: mode_t = 0o644) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode)
        if fd < 0 { throw SystemError("open", path) }
        while flock(fd, LOCK_EX) < 0 {
            if errno == EINTR { continue }
            let e = errno
            close(fd)
            throw SystemError("flock", path, errno: e)
        }
    }

    func unlock() { close(fd) }
}
