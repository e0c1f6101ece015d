import NodeSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the runtime remembers about one container, in `<root>/<id>/state.json`.
struct StoredContainer: Codable, Equatable {
    var id: String
    var bundle: String
    var rootfs: String
    var pid: Int32
    /// /proc/PID/stat start time, so a recycled PID is not mistaken for the init.
    var pidStartTime: UInt64
    var created: String
    var cgroupPath: String
    var annotations: [String: String]?
    /// Kinds of namespace the init has of its own or joined (exec joins these).
    var namespaces: [NamespaceKind]
    var hasPoststopHooks: Bool? = nil
    var exitStatus: ExitStatus? = nil
    var oomKilled: Bool? = nil
}

/// The runtime's state directory: one subdirectory per container holding state.json, a
/// copy of config.json and the exec fifo. Mutations take an exclusive flock on the
/// container's directory.
struct StateStore {
    let root: String

    static let stateFile = "state.json"
    static let configFile = "config.json"
    static let fifoName = "exec.fifo"

    func directory(_ id: String) -> String { root + "/" + id }

    static func validate(id: String) throws {
        guard !id.isEmpty, id.utf8.count <= 1024, !id.hasPrefix("."),
              id.utf8.allSatisfy({ c in
                  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
                      || c == 0x2d || c == 0x5f || c == 0x2e
              })
        else { throw RuntimeError.invalidID(id) }
    }

    /// Creates the container's directory; fails if it exists.
    func create(_ id: String) throws {
        if mkdir(root, 0o711) != 0 && errno != EEXIST {
            // mkdir -p for a nested root
            var path = ""
            for part in root.split(separator: "/") {
                path += "/" + part
                if mkdir(path, 0o711) != 0 && errno != EEXIST {
                    throw SystemError(errno: errno, operation: "mkdir", detail: path)
                }
            }
        }
        let dir = directory(id)
        if mkdir(dir, 0o711) != 0 {
            let err = errno
            if err == EEXIST { throw RuntimeError.alreadyExists(id: id) }
            throw SystemError(errno: err, operation: "mkdir", detail: dir)
        }
    }

    func exists(_ id: String) -> Bool { FileBytes.isDirectory(directory(id)) }

    /// Runs `body` holding an exclusive lock on the container's directory.
    func withLock<T>(_ id: String, _ body: () throws -> T) throws -> T {
        let dir = directory(id)
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 {
            let err = errno
            if err == ENOENT { throw RuntimeError.notFound(id: id) }
            throw SystemError(errno: err, operation: "open", detail: dir)
        }
        defer { close(fd) }
        try sys("flock", dir) { flock(fd, LOCK_EX) }
        return try body()
    }

    func save(_ container: StoredContainer) throws {
        let encoder = JSONEncoder()
        let data = try encoder.encode(container)
        try FileBytes.writeAtomically(directory(container.id) + "/" + Self.stateFile, Array(data))
    }

    /// The stored record, or nil while `create` has not written it yet.
    func load(_ id: String) throws -> StoredContainer? {
        let path = directory(id) + "/" + Self.stateFile
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path)
        } catch let error as SystemError where error.errno == ENOENT {
            if !exists(id) { throw RuntimeError.notFound(id: id) }
            return nil
        }
        return try SpecDecoder.decode(StoredContainer.self, from: bytes, file: path)
    }

    /// Container ids, sorted (dot entries, like the seccomp cache, are not containers).
    func ids() throws -> [String] {
        guard let dir = opendir(root) else {
            if errno == ENOENT { return [] }
            throw SystemError(errno: errno, operation: "opendir", detail: root)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name.hasPrefix(".") { continue }
            if entry.pointee.d_type == UInt8(DT_DIR) { names.append(name) }
        }
        return names.sorted()
    }

    /// Removes the container's directory and what it holds (flat: files only).
    func remove(_ id: String) throws {
        let dir = directory(id)
        for name in [Self.stateFile, Self.configFile, Self.fifoName] {
            unlink(dir + "/" + name)
        }
        if let handle = opendir(dir) {
            var leftovers: [String] = []
            while let entry = readdir(handle) {
                let name = withUnsafePointer(to: entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
                }
                if name != "." && name != ".." { leftovers.append(name) }
            }
            closedir(handle)
            for name in leftovers { unlink(dir + "/" + name) }
        }
        if rmdir(dir) != 0 && errno != ENOENT {
            throw SystemError(errno: errno, operation: "rmdir", detail: dir)
        }
    }
}

/// Facts about a live process from /proc: a pid with its start time names one process for
/// good, where a pid alone may be recycled.
public enum LiveProcess {
    /// (state letter, start time) from /proc/PID/stat, nil if there is no such process.
    public static func stat(_ pid: Int32) -> (state: Character, startTime: UInt64)? {
        guard pid > 0, let text = try? FileBytes.readString("/proc/\(pid)/stat") else { return nil }
        // The command name may hold spaces and parentheses: fields start after the last ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); start time is field 22.
        guard fields.count > 19, let state = fields[0].first, let start = UInt64(fields[19]) else { return nil }
        return (state, start)
    }

    /// Alive and the same process (not a zombie, not a recycled PID).
    public static func isAlive(_ pid: Int32, startTime: UInt64) -> Bool {
        guard let info = stat(pid) else { return false }
        return info.state != "Z" && info.state != "X" && info.startTime == startTime
    }
}
