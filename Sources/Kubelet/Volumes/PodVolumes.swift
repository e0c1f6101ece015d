import Foundation
import KubeAPI
import NodeSupport

/// A pod's volumes on the node: emptyDir directories (tmpfs for `medium: Memory`, bounded by
/// sizeLimit) under the pod's directory, and hostPath volumes checked or created by type.
public struct PodVolumes: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Prepares every volume; returns each one's host path by name.
    public func setUp(_ volumes: [Volume]) throws -> [String: String] {
        var paths: [String: String] = [:]
        for volume in volumes {
            if let emptyDir = volume.emptyDir {
                paths[volume.name] = try setUpEmptyDir(volume.name, emptyDir)
            } else if let hostPath = volume.hostPath {
                paths[volume.name] = try setUpHostPath(volume.name, hostPath)
            }
        }
        return paths
    }

    func setUpEmptyDir(_ name: String, _ source: EmptyDirVolumeSource) throws -> String {
        let path = directory + "/" + name
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        chmod(path, 0o777)
        if source.medium == .memory, !Self.isMountPoint(path) {
            var options = "mode=0777"
            if let size = source.sizeLimit, size.value > 0 { options += ",size=\(size.value)" }
            guard mount("tmpfs", path, "tmpfs", UInt(MS_NOSUID | MS_NODEV), options) == 0 else {
                throw SystemError(errno: errno, operation: "volume \(name): mount tmpfs at", detail: path, style: .libc)
            }
        }
        return path
    }

    func setUpHostPath(_ name: String, _ source: HostPathVolumeSource) throws -> String {
        let path = source.path
        let type = source.type ?? .unset
        var info = stat()
        let exists = stat(path, &info) == 0
        let kind = info.st_mode & S_IFMT
        func fail(_ what: String) -> KubeletError {
            KubeletError("volume \(name): hostPath type check failed: \(path) is not \(what)")
        }
        switch type {
        case .directoryOrCreate:
            if !exists {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            } else if kind != S_IFDIR {
                throw fail("a directory")
            }
        case .directory:
            guard exists, kind == S_IFDIR else { throw fail("a directory") }
        case .fileOrCreate:
            if !exists {
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644]) else {
                    throw KubeletError("volume \(name): cannot create \(path)")
                }
            } else if kind != S_IFREG {
                throw fail("a file")
            }
        case .file:
            guard exists, kind == S_IFREG else { throw fail("a file") }
        case .socket:
            guard exists, kind == S_IFSOCK else { throw fail("a socket") }
        case .charDevice:
            guard exists, kind == S_IFCHR else { throw fail("a character device") }
        case .blockDevice:
            guard exists, kind == S_IFBLK else { throw fail("a block device") }
        default:
            break
        }
        return path
    }

    /// Unmounts memory-backed volumes (emptyDir `Memory`, and the tmpfs of secret and
    /// projected volumes one level deeper) and removes the pod's volume directory.
    public func tearDown() {
        for path in Self.mountPoints(under: directory) {
            while Self.isMountPoint(path), umount2(path, Int32(MNT_DETACH)) == 0 {}
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names {
            let path = directory + "/" + name
            while Self.isMountPoint(path), umount2(path, Int32(MNT_DETACH)) == 0 {}
        }
        // Never follow into a mount that would not go away: remove only plain trees.
        guard Self.mountPoints(under: directory).isEmpty else { return }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Mount points strictly below `directory` (per /proc/self/mountinfo), deepest first.
    static func mountPoints(under directory: String) -> [String] {
        guard let resolved = realpath(directory, nil) else { return [] }
        let base = String(cString: resolved) + "/"
        free(resolved)
        guard let table = ConfigVolumeMount.mountInfo() else { return [] }
        var points: Set<String> = []
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { continue }
            let point = ConfigVolumeMount.unescapeMountInfo(fields[4])
            if point.hasPrefix(base) { points.insert(point) }
        }
        return points.sorted { $0.count > $1.count }
    }

    static func isMountPoint(_ path: String) -> Bool {
        var own = stat()
        var parent = stat()
        guard stat(path, &own) == 0, stat(path + "/..", &parent) == 0 else { return false }
        return own.st_dev != parent.st_dev || own.st_ino == parent.st_ino
    }
}
