import Foundation
import Logging

/// Writes a volume's files so that a reader sees either the whole old set or the whole new
/// set, never a mix, with the kubelet's atomic writer layout:
///
///     target/..2026_12_01_07_40_00.123456789/   the files of one version
///     target/..data -> ..2026_12_01_07_40_00.123456789
///     target/<name> -> ..data/<name>             one per top-level entry
///
/// A new version goes into a fresh timestamped directory, then `..data` is swapped to it
/// with one `rename` of a `..data_tmp` symlink. Writers of one target must be serialized.
public struct AtomicWriter: Sendable {
    /// The symlink to the current version.
    public static let dataDirectoryName = "..data"
    /// The symlink renamed over `..data` to swap versions.
    public static let newDataDirectoryName = "..data_tmp"

    public let targetDirectory: String
    private let clock: @Sendable () -> Date
    private let logger: Logger

    /// `clock` names the timestamped directories (tests hand in a fixed one).
    public init(
        targetDirectory: String,
        clock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "swiftlet.atomic-writer")
    ) {
        self.targetDirectory = targetDirectory
        self.clock = clock
        self.logger = logger
    }

    /// Makes the target directory show exactly `payload` (relative path → content and mode).
    /// Returns false, touching nothing but missing top-level symlinks, when the current
    /// version already has the same paths, bytes and modes.
    @discardableResult
    public func write(_ payload: [String: ConfigVolumeFile]) throws -> Bool {
        let volume = (targetDirectory as NSString).lastPathComponent
        for path in payload.keys { try ConfigVolumeProjector.validatePath(path, volume: volume) }
        try ConfigVolumeProjector.validateLayout(Array(payload.keys), volume: volume)
        for (path, file) in payload where !(0...0o777).contains(file.mode) {
            throw ConfigVolumeError.invalidMode(volume: volume, field: path, mode: file.mode)
        }

        let dataLink = targetDirectory + "/" + Self.dataDirectoryName
        let oldVersion = try readLink(dataLink)
        let topLevel = Set(payload.keys.map { String($0.split(separator: "/")[0]) })

        if let oldVersion, let current = try? Self.readVersion(targetDirectory + "/" + oldVersion), current == payload {
            try createUserVisibleLinks(topLevel)
            return false
        }

        let newVersion = try createVersionDirectory()
        let newPath = targetDirectory + "/" + newVersion
        do {
            for path in payload.keys.sorted() {
                try writeFile(newPath, path, payload[path]!)
            }
            let tmpLink = targetDirectory + "/" + Self.newDataDirectoryName
            if unlink(tmpLink) != 0, errno != ENOENT { throw systemError("unlink", tmpLink) }
            if symlink(newVersion, tmpLink) != 0 { throw systemError("symlink", tmpLink) }
            if rename(tmpLink, dataLink) != 0 { throw systemError("rename", tmpLink) }
        } catch {
            try? Self.removeTree(newPath)
            throw error
        }
        try createUserVisibleLinks(topLevel)
        try removeStaleLinks(keeping: topLevel)
        try removeOldVersions(keeping: newVersion)
        logger.debug("wrote volume version", metadata: [
            "target": "\(targetDirectory)", "version": "\(newVersion)", "files": "\(payload.count)",
        ])
        return true
    }

    /// The name of a version directory for an instant: `..YYYY_MM_DD_HH_MM_SS.NNNNNNNNN` in UTC.
    public static func versionDirectoryName(for date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        let nanos = Int(((interval - interval.rounded(.down)) * 1e9).rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let nanoText = String(nanos)
        return ".." + pad(parts.tm_year + 1900, 4) + "_" + pad(parts.tm_mon + 1, 2) + "_" + pad(parts.tm_mday, 2) + "_"
            + pad(parts.tm_hour, 2) + "_" + pad(parts.tm_min, 2) + "_" + pad(parts.tm_sec, 2) + "."
            + String(repeating: "0", count: max(0, 9 - nanoText.count)) + nanoText
    }

    /// Whether a directory entry is one of the writer's version directories.
    static func isVersionDirectoryName(_ name: String) -> Bool {
        name.hasPrefix("..") && name.dropFirst(2).first?.isNumber == true
    }

    // MARK: - Steps

    private func createVersionDirectory() throws -> String {
        var date = clock()
        while true {
            let name = Self.versionDirectoryName(for: date)
            let path = targetDirectory + "/" + name
            if mkdir(path, 0o755) == 0 {
                // mkdir honours the umask; the version directory is world-readable as upstream's.
                if chmod(path, 0o755) != 0 { throw systemError("chmod", path) }
                return name
            }
            // A fixed or coarse clock may repeat itself: step past the taken name.
            guard errno == EEXIST else { throw systemError("mkdir", path) }
            date = date.addingTimeInterval(0.000_001)
        }
    }

    private func writeFile(_ root: String, _ relative: String, _ file: ConfigVolumeFile) throws {
        var directory = root
        let elements = relative.split(separator: "/").map(String.init)
        for element in elements.dropLast() {
            directory += "/" + element
            if mkdir(directory, 0o755) != 0 {
                guard errno == EEXIST else { throw systemError("mkdir", directory) }
            } else if chmod(directory, 0o755) != 0 {
                throw systemError("chmod", directory)
            }
        }
        let path = directory + "/" + elements.last!
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(file.mode))
        if fd < 0 { throw systemError("open", path) }
        defer { close(fd) }
        var offset = 0
        while offset < file.bytes.count {
            let written = file.bytes.withUnsafeBytes { buffer in
                Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw systemError("write", path)
            }
            offset += written
        }
        // open's mode is cut by the umask; the volume's mode is exact.
        if fchmod(fd, mode_t(file.mode)) != 0 { throw systemError("chmod", path) }
    }

    private func createUserVisibleLinks(_ names: Set<String>) throws {
        for name in names.sorted() {
            let path = targetDirectory + "/" + name
            let wanted = Self.dataDirectoryName + "/" + name
            if let existing = try readLink(path) {
                if existing == wanted { continue }
                if unlink(path) != 0 { throw systemError("unlink", path) }
            } else if Self.exists(path) {
                throw ConfigVolumeError.system(operation: "link", path: path, errno: EEXIST)
            }
            if symlink(wanted, path) != 0 { throw systemError("symlink", path) }
        }
    }

    private func removeStaleLinks(keeping names: Set<String>) throws {
        for name in try listDirectory(targetDirectory) where !name.hasPrefix("..") && !names.contains(name) {
            let path = targetDirectory + "/" + name
            guard let target = try? readLink(path), target.hasPrefix(Self.dataDirectoryName + "/") else { continue }
            if unlink(path) != 0, errno != ENOENT { throw systemError("unlink", path) }
        }
    }

    /// Removes every version directory but the current one: the previous version, and any
    /// left by a writer that died before its swap.
    private func removeOldVersions(keeping current: String) throws {
        for name in try listDirectory(targetDirectory) where Self.isVersionDirectoryName(name) && name != current {
            try Self.removeTree(targetDirectory + "/" + name)
        }
    }

    // MARK: - Host helpers

    /// The files of one version directory with their bytes and permission bits.
    static func readVersion(_ root: String) throws -> [String: ConfigVolumeFile] {
        var files: [String: ConfigVolumeFile] = [:]
        func walk(_ directory: String, _ prefix: String) throws {
            for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
                let path = directory + "/" + name
                var info = stat()
                guard lstat(path, &info) == 0 else {
                    throw ConfigVolumeError.system(operation: "lstat", path: path, errno: errno)
                }
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    try walk(path, prefix + name + "/")
                case S_IFREG:
                    guard let data = FileManager.default.contents(atPath: path) else {
                        throw ConfigVolumeError.system(operation: "read", path: path, errno: errno)
                    }
                    files[prefix + name] = ConfigVolumeFile(bytes: [UInt8](data), mode: Int(info.st_mode & 0o777))
                default:
                    throw ConfigVolumeError.system(operation: "read", path: path, errno: EINVAL)
                }
            }
        }
        try walk(root, "")
        return files
    }

    /// Removes a directory tree without following symlinks.
    static func removeTree(_ path: String) throws {
        var info = stat()
        if lstat(path, &info) != 0 {
            if errno == ENOENT { return }
            throw ConfigVolumeError.system(operation: "lstat", path: path, errno: errno)
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            for name in try FileManager.default.contentsOfDirectory(atPath: path) {
                try removeTree(path + "/" + name)
            }
            if rmdir(path) != 0, errno != ENOENT {
                throw ConfigVolumeError.system(operation: "rmdir", path: path, errno: errno)
            }
        } else if unlink(path) != 0, errno != ENOENT {
            throw ConfigVolumeError.system(operation: "unlink", path: path, errno: errno)
        }
    }

    /// `mkdir -p` with mode 0755 for the directories it creates.
    static func makeDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for element in path.split(separator: "/") {
            current += "/" + element
            if mkdir(current, 0o755) != 0, errno != EEXIST {
                throw ConfigVolumeError.system(operation: "mkdir", path: current, errno: errno)
            }
        }
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// A symlink's target; nil when nothing is there. Anything else there is an error.
    private func readLink(_ path: String) throws -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        if count < 0 {
            if errno == ENOENT { return nil }
            throw systemError("readlink", path)
        }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func listDirectory(_ path: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw ConfigVolumeError.system(operation: "list", path: path, errno: EIO)
        }
    }

    private func systemError(_ operation: String, _ path: String) -> ConfigVolumeError {
        .system(operation: operation, path: path, errno: errno)
    }
}
