#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The few file operations cgroupfs needs, each throwing a `CgroupError.system` that names
/// the operation and path, and retrying on EINTR.
enum CgroupFile {
    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Writes `value` in one write(2), as the kernel parses each write on its own.
    /// No O_CREAT: cgroupfs files exist or the controller is not there.
    static func write(_ path: String, _ value: String) throws {
        let fd = try retrying("open", path) { open(path, O_WRONLY | O_TRUNC | O_CLOEXEC) }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        let written = try retrying("write", path) {
            bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        }
        if written != bytes.count {
            throw CgroupError.system(operation: "write", path: path, errno: EIO)
        }
    }

    static func read(_ path: String) throws -> String {
        let fd = try retrying("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = try retrying("read", path) {
                buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            }
            if n == 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads a file and trims the trailing newline; nil if it does not exist.
    static func readIfPresent(_ path: String) throws -> String? {
        do {
            return trimmed(try read(path))
        } catch CgroupError.system(_, _, let errno) where errno == ENOENT {
            return nil
        }
    }

    /// mkdir that accepts an existing directory.
    static func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o755) == 0 { return }
        let err = errno
        if err == EEXIST && isDirectory(path) { return }
        throw CgroupError.system(operation: "mkdir", path: path, errno: err)
    }

    /// Names of the subdirectories of `path` (child cgroups, or mounts under a cgroup
    /// root), sorted. Symlinks are not followed: d_type avoids a stat per entry.
    static func subdirectories(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            throw CgroupError.system(operation: "opendir", path: path, errno: errno)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let type = entry.pointee.d_type
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            if type == UInt8(DT_DIR) || (type == UInt8(DT_UNKNOWN) && isDirectory(path + "/" + name)) {
                names.append(name)
            }
        }
        return names.sorted()
    }

    /// The content without trailing newlines and spaces.
    static func trimmed(_ text: String) -> String {
        var s = Substring(text)
        while let last = s.last, last == "\n" || last == " " { s = s.dropLast() }
        return String(s)
    }

    private static func retrying<T: BinaryInteger>(
        _ operation: String, _ path: String, _ body: () -> T
    ) throws -> T {
        while true {
            let result = body()
            if result >= 0 { return result }
            let err = errno
            if err == EINTR { continue }
            throw CgroupError.system(operation: operation, path: path, errno: err)
        }
    }
}
