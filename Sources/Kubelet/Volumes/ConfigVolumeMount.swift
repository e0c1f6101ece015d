import Foundation
import Logging

/// The host side of a configMap, secret or projected volume: its directory under the pod,
/// a small tmpfs beneath it for secrets so their bytes never reach a disk, and its files
/// kept current by the `AtomicWriter`.
public struct ConfigVolumeMount: Sendable {
    /// The size cap of a secret volume's tmpfs. Secrets are at most 1 MiB each and a swap
    /// holds two versions at once.
    public let tmpfsSizeBytes: Int
    private let clock: @Sendable () -> Date
    private let logger: Logger

    public init(
        tmpfsSizeBytes: Int = 16 << 20,
        clock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "swiftlet.config-volume")
    ) {
        self.tmpfsSizeBytes = tmpfsSizeBytes
        self.clock = clock
        self.logger = logger
    }

    /// Creates the volume directory (mode 0755), mounts a tmpfs on it when `onTmpfs` and
    /// none is there yet, and writes the files. Calling it again on a set-up volume only
    /// updates the files. If the first write fails, the tmpfs mounted here is unmounted.
    public func setUp(volumeDirectory: String, files: [String: ConfigVolumeFile], onTmpfs: Bool) throws {
        try AtomicWriter.makeDirectories(volumeDirectory)
        var mountedHere = false
        if onTmpfs, !Self.isTmpfsMount(volumeDirectory) {
            let options = "mode=0755,size=\(tmpfsSizeBytes)"
            if mount("tmpfs", volumeDirectory, "tmpfs", UInt(MS_NOSUID | MS_NODEV), options) != 0 {
                throw ConfigVolumeError.system(operation: "mount tmpfs on", path: volumeDirectory, errno: errno)
            }
            mountedHere = true
            logger.debug("mounted tmpfs for volume", metadata: ["directory": "\(volumeDirectory)"])
        } else if chmod(volumeDirectory, 0o755) != 0 {
            throw ConfigVolumeError.system(operation: "chmod", path: volumeDirectory, errno: errno)
        }
        do {
            try writer(volumeDirectory).write(files)
        } catch {
            if mountedHere { _ = umount2(volumeDirectory, Int32(MNT_DETACH)) }
            throw error
        }
    }

    /// Replaces the volume's files atomically; returns false when nothing changed.
    @discardableResult
    public func update(volumeDirectory: String, files: [String: ConfigVolumeFile]) throws -> Bool {
        try writer(volumeDirectory).write(files)
    }

    /// Unmounts the volume's tmpfs, if any, and removes its directory. Missing is fine.
    public func tearDown(volumeDirectory: String) throws {
        while Self.isMountPoint(volumeDirectory) {
            if umount2(volumeDirectory, 0) != 0 {
                // A container still holding a file open keeps the mount busy: detach it so
                // it goes away with its last user.
                guard errno == EBUSY, umount2(volumeDirectory, Int32(MNT_DETACH)) == 0 else {
                    throw ConfigVolumeError.system(operation: "unmount", path: volumeDirectory, errno: errno)
                }
            }
        }
        try AtomicWriter.removeTree(volumeDirectory)
    }

    /// Whether a tmpfs is mounted exactly at `path` (the topmost mount there, per
    /// /proc/self/mountinfo).
    public static func isTmpfsMount(_ path: String) -> Bool {
        guard isMountPoint(path), let resolved = realpath(path, nil) else { return false }
        defer { free(resolved) }
        let mountPoint = String(cString: resolved)
        guard let table = mountInfo() else { return false }
        var fsType: String?
        for line in table.split(separator: "\n") {
            // id parent major:minor root mount-point options [optional…] - type source super-options
            let fields = line.split(separator: " ")
            guard fields.count > 4, unescapeMountInfo(fields[4]) == mountPoint,
                let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count
            else { continue }
            fsType = String(fields[dash + 1])  // later lines are mounted on top
        }
        return fsType == "tmpfs"
    }

    /// /proc/self/mountinfo in full. Foundation's file readers trust the size procfs
    /// reports and stop after one page, losing mounts once the table grows.
    public static func mountInfo() -> String? {
        let fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// mountinfo writes space, tab, newline and backslash as three-digit octal escapes.
    static func unescapeMountInfo(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        let utf8 = Array(field.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "\\"), index + 3 < utf8.count,
                let value = UInt8(String(decoding: utf8[(index + 1)...(index + 3)], as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `path` is a mount point: it sits on another device than its parent.
    static func isMountPoint(_ path: String) -> Bool {
        var own = stat()
        var parent = stat()
        guard lstat(path, &own) == 0, own.st_mode & S_IFMT == S_IFDIR, stat(path + "/..", &parent) == 0 else {
            return false
        }
        return own.st_dev != parent.st_dev || own.st_ino == parent.st_ino
    }

    private func writer(_ directory: String) -> AtomicWriter {
        AtomicWriter(targetDirectory: directory, clock: clock, logger: logger)
    }
}
